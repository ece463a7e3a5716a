import type { ProviderResponse } from "./provider-request";

/** The headers of every JSON answer an adapter gives a provider. */
export const jsonHeaders: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json; charset=utf-8" });

/** An answer to the provider with `body` serialized as JSON. */
export function jsonResponse(status: number, body: unknown): ProviderResponse {
  return { status, headers: jsonHeaders, body: JSON.stringify(body) };
}
