import { createProviderRequest, isFriendhookError } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createTencentAdapter } from "@friendhook/tencent";
import { expect, it } from "vitest";
import { reliabilityCredentials as credentials, signedEasemobBody, signedTencentBody, signedTencentPath } from "../src/index";

const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;

/**
 * The adapter contract: `receive` throws a `FriendhookError` for anything it refuses, and no other
 * error for any input. An authenticated callback of another family is kept as unrecognized, body
 * and all (without Easemob's `security`); a body nested 5,000 levels deep (10 KB) once made the
 * Easemob adapter overflow the stack while it removed `security`. Neither provider signs the body,
 * so any captured callback can carry such a body.
 */
it.each(["easemob", "tencent"] as const)("the %s adapter keeps or refuses a deeply nested callback of another family, and throws nothing else", async (route) => {
  const outcome =
    route === "easemob"
      ? await createEasemobAdapter({ secrets: [...credentials.easemobSecrets] })
          .receive(createProviderRequest({ body: JSON.stringify({ ...signedEasemobBody(), chat_type: "chat", payload: "DEEP" }).replace('"DEEP"', deep) }))
          .then(keptOutcome, refusalOutcome)
      : await createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: credentials.tencentToken })
          .receive(
            createProviderRequest({
              path: "/",
              query: new URL(signedTencentPath("C2C.CallbackAfterSendMsg"), "http://x").searchParams,
              body: JSON.stringify({ ...signedTencentBody(), CallbackCommand: "C2C.CallbackAfterSendMsg", MsgBody: "DEEP" }).replace('"DEEP"', deep),
            }),
          )
          .then(keptOutcome, refusalOutcome);
  expect(outcome).toMatch(/^(kept as unrecognized|refused): /);
});

function keptOutcome(callback: { unrecognized?: { command: string } }): string {
  return `kept as unrecognized: ${callback.unrecognized?.command}`;
}

function refusalOutcome(error: unknown): string {
  return isFriendhookError(error) ? `refused: ${error.code}` : `threw ${(error as Error).name}`;
}
