import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export function md5Hex(input: string): string {
  return createHash("md5").update(input, "utf8").digest("hex");
}

export function sha256Hex(input: string): string {
  return createHash("sha256").update(input, "utf8").digest("hex");
}

export function hmacSha256(secret: string | Uint8Array, input: string): Buffer {
  return createHmac("sha256", secret).update(input, "utf8").digest();
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Both sides are hashed first so that unequal lengths take the same path as equal ones.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  const actualDigest = createHash("sha256").update(actual, "utf8").digest();
  const expectedDigest = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(actualDigest, expectedDigest);
}

/** True when `actual` equals any of `candidates`; every candidate is compared, to keep time flat. */
export function constantTimeEqualAny(actual: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    matched = constantTimeEqual(actual, candidate) || matched;
  }
  return matched;
}
