import { FriendhookError, constantTimeEqualAny, hmacSha256Hex } from "@friendhook/core";
import { __nameCamel__Provider } from "./__name__-provider";

/**
 * TODO(__name__): replace with the provider's own scheme. This skeleton's fictional provider signs
 * each callback with two headers:
 *
 *   x-__name__-timestamp: Unix seconds
 *   x-__name__-signature: v1=hex(HMAC-SHA256(secret, `${timestamp}.${raw body}`))
 *
 * Whatever the scheme, sign the raw bytes as received, never a re-serialization of the parsed body.
 */
export const __nameCamel__SignatureHeaders = {
  timestamp: "x-__name__-timestamp",
  signature: "x-__name__-signature",
} as const;

export function sign__Name__Callback(secret: string, timestamp: number | string, body: Uint8Array | string): string {
  return `v1=${hmacSha256Hex(secret, `${timestamp}.`, body)}`;
}

export interface __Name__SignatureCheck {
  readonly secrets: readonly string[];
  readonly maximumClockSkewSeconds: number;
  readonly now: Date;
}

const unixSeconds = /^\d{1,12}$/;

function refusal(code: "missing_signature" | "invalid_signature" | "stale_request", message: string): FriendhookError {
  return new FriendhookError(code, message, { provider: __nameCamel__Provider });
}

/**
 * What the headers alone tell, before the body is read (the adapter's `authenticateHead`): a
 * signature and a well-formed timestamp are present. TODO(__name__): when the provider's signature
 * lives in the URL or the headers without covering the body (a token, a signed time), verify it
 * here in full, so that a forged upload is refused unread.
 */
export function check__Name__SignatureHeaders(headers: Readonly<Record<string, string | undefined>>): { timestamp: string; signature: string } {
  const timestamp = headers[__nameCamel__SignatureHeaders.timestamp];
  const signature = headers[__nameCamel__SignatureHeaders.signature];
  if (!timestamp || !signature) {
    throw refusal("missing_signature", `The ${__nameCamel__SignatureHeaders.signature} or ${__nameCamel__SignatureHeaders.timestamp} header is missing.`);
  }
  if (!unixSeconds.test(timestamp)) {
    throw refusal("invalid_signature", "The signed timestamp is not a Unix time in seconds.");
  }
  return { timestamp, signature };
}

/**
 * Runs before anything else reads the body. The signature is compared first, in constant time and
 * against every secret, so that an unsigned caller learns nothing about the accepted time window.
 */
export function verify__Name__Signature(
  headers: Readonly<Record<string, string | undefined>>,
  body: Uint8Array,
  check: __Name__SignatureCheck,
): void {
  const { timestamp, signature } = check__Name__SignatureHeaders(headers);
  const expected = check.secrets.map((secret) => sign__Name__Callback(secret, timestamp, body));
  if (!constantTimeEqualAny(signature.trim().toLowerCase(), expected)) {
    throw refusal("invalid_signature", "The signature does not match the body and any configured secret.");
  }
  const skewSeconds = Math.abs(check.now.getTime() / 1000 - Number(timestamp));
  if (skewSeconds > check.maximumClockSkewSeconds) {
    throw refusal(
      "stale_request",
      `The signed timestamp lies ${Math.round(skewSeconds)} s from now, more than the accepted ${check.maximumClockSkewSeconds} s.`,
    );
  }
}
