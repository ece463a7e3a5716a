import { type FriendhookError, type ProviderResponse, jsonResponse } from "@friendhook/core";

/**
 * TODO(__name__): the answer the provider expects once the events are stored. Some read only the
 * status, some want a body of a fixed shape; keep it short (some reject long answers).
 */
export function __nameCamel__Acknowledgement(): ProviderResponse {
  return jsonResponse(200, { received: true });
}

/**
 * TODO(__name__): a refusal in the provider's format. The status is always the error's own, so that
 * the provider retries what can succeed later (503) and gives up on what cannot (4xx).
 */
export function __nameCamel__Refusal(error: FriendhookError): ProviderResponse {
  return jsonResponse(error.status, error.toJSON());
}
