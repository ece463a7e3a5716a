import { createProviderRequest, isFriendhookError } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { expect, it } from "vitest";
import { reliabilityCredentials as credentials, signedEasemobBody } from "../src/index";

/**
 * The adapter contract: `receive` throws a `FriendhookError` for anything it refuses, and no other
 * error for any input. An authenticated Easemob callback of another family (`chat_type` other than
 * `roster`) is kept as unrecognized with its body re-serialized by `JSON.stringify` (to leave
 * `security` out); nested 5,000 levels deep (10 KB), that overflows the stack and `receive` throws a
 * RangeError. The receiver's safety net answers 400 and logs "the adapter threw something other than
 * a FriendhookError". Easemob signs only `callId` and `timestamp`, so any captured callback can carry
 * such a body.
 */
it("the Easemob adapter refuses or keeps a deeply nested callback of another family, and throws nothing but a FriendhookError", async () => {
  const adapter = createEasemobAdapter({ secrets: [...credentials.easemobSecrets] });
  const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
  const body = JSON.stringify({ ...signedEasemobBody(), chat_type: "chat", payload: "DEEP" }).replace('"DEEP"', deep);
  const outcome = await adapter.receive(createProviderRequest({ body })).then(
    (callback) => `kept as unrecognized: ${callback.unrecognized?.command}`,
    (error: unknown) => (isFriendhookError(error) ? `refused: ${error.code}` : `threw ${(error as Error).name}`),
  );
  expect(outcome).toMatch(/^(kept as unrecognized|refused): /);
});
