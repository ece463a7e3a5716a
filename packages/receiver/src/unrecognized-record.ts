import { type ProviderRequest, type ReceivedCallback, sha256Hex } from "@friendhook/core";
import type { UnrecognizedCallbackRecord } from "@friendhook/core";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The record kept for a callback the adapter could not map; its id makes a retried callback a
 * duplicate. The body is the one the adapter gives, without signature material, or else the raw
 * body. The id is derived from the kept body only: a hash over the signature would let whoever
 * reads the record test guesses of the secret just as well.
 */
export function buildUnrecognizedRecord(callback: ReceivedCallback, request: ProviderRequest): UnrecognizedCallbackRecord | undefined {
  if (!callback.unrecognized) return undefined;
  const body = callback.body ?? lenientUtf8.decode(request.body);
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
