import { type FriendhookError, type ProviderResponse, jsonResponse } from "@friendhook/core";

/** Easemob reads only the status: 200 is success, and the body must stay under 1,000 characters. */
export const easemobAcknowledgement: ProviderResponse = jsonResponse(200, { status: "ok" });

/**
 * Control characters and lone surrogates become spaces and the message is cut to 240 characters,
 * so that JSON escaping can at most double it: the body stays far below Easemob's 1,000.
 */
const unsafeCharacters = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function shortMessage(message: string): string {
  return Array.from(message.replace(unsafeCharacters, " ")).slice(0, 240).join("");
}

/** A refusal with the error's status; Easemob retries once after any answer but 200. */
export function easemobRefusal(error: FriendhookError): ProviderResponse {
  const body = { error: { code: error.code, message: shortMessage(error.message) } };
  return jsonResponse(error.status, body);
}
