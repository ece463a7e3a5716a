import { type ProviderRequest, type ReceivedCallback, sha256Hex } from "@friendhook/core";
import type { UnrecognizedCallbackRecord } from "./store/friend-event-store";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/** The record kept for a callback the adapter could not map; its id makes a retried callback a duplicate. */
export function buildUnrecognizedRecord(callback: ReceivedCallback, request: ProviderRequest): UnrecognizedCallbackRecord | undefined {
  if (!callback.unrecognized) return undefined;
  const body = lenientUtf8.decode(request.body);
  const command = callback.unrecognized.command;
  return {
    id: `unr_${sha256Hex(JSON.stringify([callback.provider, callback.appId, command, body])).slice(0, 32)}`,
    provider: callback.provider,
    appId: callback.appId,
    command,
    reason: callback.unrecognized.reason,
    receivedAt: request.receivedAt.toISOString(),
    body,
  };
}
