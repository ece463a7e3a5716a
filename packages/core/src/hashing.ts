// The one Node module the framework-neutral packages use (see CONTRIBUTING.md, "Framework-neutral
// packages"): Node, Bun, Deno and Workers with Node compatibility all provide it, and its one-shot
// hashes are synchronous, which Web Crypto's are not.
import { createHmac, hash, timingSafeEqual } from "node:crypto";

const utf8 = new TextEncoder();

// One-shot `hash` (Node 20.12+) rather than `createHash`: these run several times per callback and
// once per event, and for inputs this short the one-shot form costs a third as much.

export function md5Hex(input: string): string {
  return hash("md5", input, "hex");
}

export function sha256Hex(input: string): string {
  return hash("sha256", input, "hex");
}

export function hmacSha256(secret: string | Uint8Array, input: string): Buffer {
  return createHmac("sha256", secret).update(input, "utf8").digest();
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Strings of one byte length are compared as they are; otherwise both sides are hashed first, so
 * that the comparison still runs over equal lengths and takes no shortcut.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  const actualBytes = utf8.encode(actual);
  const expectedBytes = utf8.encode(expected);
  if (actualBytes.byteLength === expectedBytes.byteLength) return timingSafeEqual(actualBytes, expectedBytes);
  return timingSafeEqual(hash("sha256", actualBytes, "buffer"), hash("sha256", expectedBytes, "buffer"));
}

/** True when `actual` equals any of `candidates`; every candidate is compared, to keep time flat. */
export function constantTimeEqualAny(actual: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    matched = constantTimeEqual(actual, candidate) || matched;
  }
  return matched;
}
