import { deriveCallbackId, type ProviderRequest, type ReceivedCallback, type StoredCallback } from "@friendhook/core";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The record kept for a callback: its body once, however many events it made. The body is the one
 * the adapter gives, without signature material, or else the raw body. An unrecognized callback is
 * always kept (nothing a provider sent is lost); a recognized one only when `keepRecognized`.
 */
export function buildStoredCallback(callback: ReceivedCallback, request: ProviderRequest, keepRecognized: boolean): StoredCallback | undefined {
  if (!callback.unrecognized && !keepRecognized) return undefined;
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
