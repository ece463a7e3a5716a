import { FriendhookError } from "./friendhook-error";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function describeWrongBody(body: unknown): string {
  if (typeof body === "string") {
    return "a string was passed where the raw body bytes were needed; pass the Buffer or Uint8Array as received";
  }
  if (body !== null && typeof body === "object") {
    return (
      "a parsed object was passed where the raw body bytes were needed: a JSON parser (express.json(), " +
      "body-parser) ran before friendhook; mount friendhook first or give it the raw bytes"
    );
  }
  return "no raw body was given; pass the request body bytes exactly as received";
}

/**
 * Decodes the raw body as UTF-8 JSON and returns the top-level object. Every way this can fail
 * becomes a `FriendhookError` with a 4xx code, except being handed something other than bytes,
 * which is a wiring mistake (`misconfigured`) and says how to fix it.
 */
export function readJsonBody(body: unknown, provider?: string): Record<string, unknown> {
  if (!(body instanceof Uint8Array)) {
    throw new FriendhookError("misconfigured", describeWrongBody(body), { provider });
  }
  if (body.byteLength === 0) {
    throw new FriendhookError("malformed_body", "The request body is empty; a JSON object was expected.", { provider });
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (cause) {
    throw new FriendhookError("malformed_body", "The request body is not valid UTF-8.", { provider, cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.slice(0, 120) : "unknown reason";
    throw new FriendhookError("malformed_body", `The request body is not valid JSON (${reason}).`, { provider, cause });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FriendhookError("malformed_body", "The request body is JSON, but not an object.", { provider });
  }
  return parsed as Record<string, unknown>;
}
