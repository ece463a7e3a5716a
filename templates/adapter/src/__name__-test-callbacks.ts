import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { __nameCamel__SignatureHeaders, sign__Name__Callback } from "./__name__-authentication";

/**
 * Builders for correctly signed __Title__ callbacks, exported so that applications can test their
 * own handling of __Title__ events without the provider.
 */
export interface Signed__Name__RequestInit {
  /** An object (serialized as JSON), or the exact body text or bytes. */
  readonly body: object | string | Uint8Array;
  readonly secret: string;
  /** The signed time; the receive time by default. */
  readonly signedAt?: Date;
  readonly path?: string;
  readonly receivedAt?: Date;
}

export function signed__Name__Request(init: Signed__Name__RequestInit): ProviderRequest {
  const receivedAt = init.receivedAt ?? new Date();
  const timestamp = Math.floor((init.signedAt ?? receivedAt).getTime() / 1000);
  const body = typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : JSON.stringify(init.body);
  return createProviderRequest({
    method: "POST",
    path: init.path ?? "/webhooks/__name__",
    headers: {
      "content-type": "application/json",
      [__nameCamel__SignatureHeaders.timestamp]: String(timestamp),
      [__nameCamel__SignatureHeaders.signature]: sign__Name__Callback(init.secret, timestamp, body),
    },
    body,
    receivedAt,
  });
}
