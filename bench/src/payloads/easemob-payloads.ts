import { buildEasemobCallback } from "@friendhook/easemob";
import { benchCredentials } from "./bench-credentials";

/**
 * A signed `roster:add` callback body as Easemob sends it (the documented example's fields, the
 * sender as a JID as current documents show it), built with the adapter's own builder. One
 * callback is one event.
 */
export function easemobRosterAddBody(messageId: string, timestamp = Date.now()): string {
  const appKey = benchCredentials.easemobAppKey;
  const request = buildEasemobCallback({
    secret: benchCredentials.easemobSecret,
    appKey,
    operation: "add",
    reason: "hello, it is Alice from the climbing gym",
    host: "msync@ebs-ali-beijing-msync45",
    from: `${appKey}_alice@easemob.com`,
    to: "bob",
    messageId,
    timestamp,
  });
  return new TextDecoder().decode(request.body);
}
