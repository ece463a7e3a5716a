import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { findSuspiciousComparisons, findSuspiciousComparisonsUnder, typeScriptFilesUnder } from "../src/index";

const require = createRequire(import.meta.url);
const packagesDirectory = join(dirname(require.resolve("@friendhook/core/package.json")), "..");

/**
 * Comparisons the scan finds that were read and found harmless: neither side is a secret an attacker
 * can probe by timing. Matched by file and text, so that a new or changed comparison is read again.
 */
const reviewedComparisons = [
  {
    file: "tencent/src/tencent-authentication.ts",
    text: "lastSignature?.token !== token",
    reason: "the token of the cached signature against the configured token: both the receiver's own, neither from a request",
  },
  {
    file: "tencent/src/tencent-authentication.ts",
    text: "lastSignature.requestTime !== requestTime",
    reason: "RequestTime is public (it travels in the URL); it only keys the cache of the expected Sign",
  },
];

const isReviewed = (comparison: { file: string; text: string }) =>
  reviewedComparisons.some((reviewed) => comparison.file === reviewed.file && comparison.text === reviewed.text);

describe("no signature or secret is compared with === in any package's source", () => {
  it("finds no comparison of secret material outside core's constant-time functions", () => {
    const scanned = typeScriptFilesUnder(packagesDirectory).filter((path) => path.includes("/src/"));
    // The scan covers every provider adapter and the HTTP sink's webhook verifier.
    for (const adapter of ["easemob/src/easemob-authentication.ts", "tencent/src/tencent-authentication.ts", "openim/src/openim-authentication.ts"]) {
      expect(scanned).toContain(join(packagesDirectory, adapter));
    }
    const suspicious = findSuspiciousComparisonsUnder(packagesDirectory).filter(
      (comparison) => comparison.file.includes("/src/") && !isReviewed(comparison),
    );
    expect(suspicious).toEqual([]);
  });

  // The scan itself must be able to fail: it is run on code that compares signatures the wrong way.
  it.each([
    ["if (sign === expected) return;", 1],
    ["if (body.security !== signEasemobCallback(fields, secret)) throw new Error();", 1],
    ["const ok = Buffer.compare(received, expectedSignature) === 0;", 1],
    ["const ok = receivedDigest.equals(computed);", 1],
    ["if (signature == provided) accept();", 1],
    ["if (typeof security !== 'string' || security.length === 0) refuse();", 0],
    ["if (token === undefined) return;", 0],
    ["if (!constantTimeEqual(sign.toLowerCase(), expected)) refuse();", 0],
    ["const trimmed = token.trim() === token;", 0],
  ] as const)("the scan of %j finds %i comparison(s)", (code, count) => {
    expect(findSuspiciousComparisons("fixture.ts", code)).toHaveLength(count);
  });
});
