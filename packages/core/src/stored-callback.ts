import { deriveCallbackId } from "./callback-id";
import type { ReceivedCallback } from "./provider-adapter";
import type { ProviderRequest } from "./provider-request";
import type { StoredCallback } from "./store/friend-event-store";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/** The body a store keeps: the one the adapter gives, without signature material, or else the raw body. */
function keptBody(callback: Pick<ReceivedCallback, "body">, request: Pick<ProviderRequest, "body">): string {
  return callback.body ?? lenientUtf8.decode(request.body);
}

/**
 * The id under which a receiver keeps a recognized callback (`storedCallbackOf`), for an adapter
 * that needs it before it answers: the pending requests of a "before" callback carry it.
 */
export function callbackIdOf(
  callback: Pick<ReceivedCallback, "provider" | "appId" | "command" | "body">,
  request: Pick<ProviderRequest, "body">,
): string {
  return deriveCallbackId({ provider: callback.provider, appId: callback.appId, command: callback.command, body: keptBody(callback, request) });
}

/**
 * The record a store keeps for a callback: its body once, however many events it made. The body is
 * the one the adapter gives, without signature material, or else the raw body.
 */
export function storedCallbackOf(callback: ReceivedCallback, request: ProviderRequest): StoredCallback {
  const body = keptBody(callback, request);
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
