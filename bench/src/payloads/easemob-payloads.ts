import { signEasemobCallback } from "@friendhook/easemob";
import { benchCredentials } from "./bench-credentials";

/**
 * A signed `roster:add` callback body as Easemob sends it (the documented example's fields, the
 * sender as a JID as current documents show it). One callback is one event.
 */
export function easemobRosterAddBody(messageId: string, timestamp = Date.now()): string {
  const appKey = benchCredentials.easemobAppKey;
  const callId = `${appKey}_${messageId}`;
  return JSON.stringify({
    chat_type: "roster",
    callId,
    security: signEasemobCallback({ callId, timestamp }, benchCredentials.easemobSecret),
    payload: { reason: "hello, it is Alice from the climbing gym", operation: "add" },
    host: "msync@ebs-ali-beijing-msync45",
    appkey: appKey,
    from: `${appKey}_alice@easemob.com`,
    to: "bob",
    eventType: "chat",
    msg_id: messageId,
    timestamp,
  });
}
