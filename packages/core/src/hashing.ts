// The one Node module the framework-neutral packages use (see CONTRIBUTING.md, "Framework-neutral
// packages"): Node, Bun, Deno and Workers with Node compatibility all provide it, and its one-shot
// hashes are synchronous, which Web Crypto's are not. Adapters hash through these functions only,
// so that the one allowed use of `node:crypto` stays here.
import { createHmac, hash } from "node:crypto";

/** Text (hashed as its UTF-8 bytes) or bytes as received (a body, hashed as they are). */
export type HashInput = string | Uint8Array;

// One-shot `hash` (Node 20.12+) rather than `createHash`: these run several times per callback and
// once per event, and for inputs this short the one-shot form costs a third as much.

export function md5Hex(input: HashInput): string {
  return hash("md5", input, "hex");
}

export function sha1Hex(input: HashInput): string {
  return hash("sha1", input, "hex");
}

export function sha256Hex(input: HashInput): string {
  return hash("sha256", input, "hex");
}

/** HMAC-SHA256 of `input`, as bytes. */
export function hmacSha256(secret: string | Uint8Array, input: HashInput): Buffer {
  return createHmac("sha256", secret).update(input).digest();
}

/**
 * HMAC-SHA256 over `parts` one after the other, in hex: a signed prefix and the raw body, say
 * (`hmacSha256Hex(secret, `${timestamp}.`, body)`), without copying the body into a string.
 */
export function hmacSha256Hex(secret: string | Uint8Array, ...parts: readonly HashInput[]): string {
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
}

/** Whether two strings of one length hold the same code units: every unit is looked at, whatever differs. */
function sameCodeUnits(left: string, right: string): boolean {
  let difference = 0;
  for (let index = 0; index < left.length; index += 1) difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  return difference === 0;
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Strings of one length are compared unit by unit, never stopping early; otherwise both sides are
 * hashed first, so that the comparison still runs over equal lengths and takes no shortcut.
 *
 * A loop over the strings rather than `timingSafeEqual` over their bytes: on Node 20, encoding a
 * string to bytes (`TextEncoder.encode`, or a hash with a byte output) allocates through a slow
 * path that cost more than the rest of a Tencent callback's authentication.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  if (actual.length === expected.length) return sameCodeUnits(actual, expected);
  return sameCodeUnits(hash("sha256", actual, "hex"), hash("sha256", expected, "hex"));
}

/** True when `actual` equals any of `candidates`; every candidate is compared, to keep time flat. */
export function constantTimeEqualAny(actual: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    matched = constantTimeEqual(actual, candidate) || matched;
  }
  return matched;
}
