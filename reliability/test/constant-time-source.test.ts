import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { findSuspiciousComparisons, findSuspiciousComparisonsUnder, typeScriptFilesUnder } from "../src/index";

const require = createRequire(import.meta.url);
const packagesDirectory = join(dirname(require.resolve("@friendhook/core/package.json")), "..");

describe("no signature or secret is compared with === in any package's source", () => {
  it("finds no comparison of secret material outside core's constant-time functions", () => {
    const scanned = typeScriptFilesUnder(packagesDirectory).filter((path) => path.includes("/src/"));
    // The scan covers every provider adapter and the HTTP sink's webhook verifier.
    for (const adapter of ["easemob/src/easemob-signature.ts", "tencent/src/tencent-signature.ts"]) {
      expect(scanned).toContain(join(packagesDirectory, adapter));
    }
    const suspicious = findSuspiciousComparisonsUnder(packagesDirectory).filter((comparison) => comparison.file.includes("/src/"));
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
