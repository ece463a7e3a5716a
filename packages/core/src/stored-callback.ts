import { deriveCallbackId } from "./callback-id";
import type { ReceivedCallback } from "./provider-adapter";
import type { ProviderRequest } from "./provider-request";
import type { StoredCallback } from "./store/friend-event-store";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The record a store keeps for a callback: its body once, however many events it made. The body is
 * the one the adapter gives, without signature material, or else the raw body.
 */
export function storedCallbackOf(callback: ReceivedCallback, request: ProviderRequest): StoredCallback {
  const body = callback.body ?? lenientUtf8.decode(request.body);
  const command = callback.unrecognized?.command ?? callback.command;
  const stored = {
    id: deriveCallbackId({ provider: callback.provider, appId: callback.appId, command, body }),
    provider: callback.provider,
    appId: callback.appId,
    command,
    receivedAt: request.receivedAt.toISOString(),
    body,
  };
  return callback.unrecognized ? { ...stored, unrecognizedReason: callback.unrecognized.reason } : stored;
}
