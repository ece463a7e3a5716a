import { createHmac, hash, timingSafeEqual } from "node:crypto";

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
  const actualBytes = Buffer.from(actual, "utf8");
  const expectedBytes = Buffer.from(expected, "utf8");
  if (actualBytes.byteLength === expectedBytes.byteLength) return timingSafeEqual(actualBytes, expectedBytes);
  return timingSafeEqual(Buffer.from(sha256Hex(actual), "hex"), Buffer.from(sha256Hex(expected), "hex"));
}

/** True when `actual` equals any of `candidates`; every candidate is compared, to keep time flat. */
export function constantTimeEqualAny(actual: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    matched = constantTimeEqual(actual, candidate) || matched;
  }
  return matched;
}
