import { afterAll, expect, it } from "vitest";
import {
  createAppDeployment,
  killRunningAppProcesses,
  providerVariables,
  sendRaw,
  signedEasemobBody,
  signedTencentBody,
  signedTencentPath,
} from "../src/index";

afterAll(killRunningAppProcesses);

/**
 * An authenticated callback of another family (an Easemob `chat_type` other than `roster`, a Tencent
 * `C2C.*` command) is acknowledged and kept as unrecognized, body included. Easemob signs only
 * `callId` and `timestamp`, and Tencent only `RequestTime`, so whoever has seen one signed callback
 * can send any body with it. A body nested 5,000 levels deep (10 KB) is stored; from then on
 * `GET /api/unrecognized` answers 500 for every page that holds it: apps/example/src/routes/
 * unrecognized.ts re-serializes each body with JSON.stringify to mask `security`, which overflows the
 * stack (RangeError) on deep nesting.
 */
it.each(["easemob", "tencent"] as const)("GET /api/unrecognized keeps answering after a deeply nested %s callback of another family", async (route) => {
  const deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
  try {
    const { url } = await deployment.start();
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const request =
      route === "easemob"
        ? { path: "/webhooks/easemob", body: JSON.stringify({ ...signedEasemobBody(), chat_type: "chat", payload: "DEEP" }).replace('"DEEP"', deep) }
        : {
            path: signedTencentPath("C2C.CallbackAfterSendMsg"),
            body: JSON.stringify({ ...signedTencentBody(), CallbackCommand: "C2C.CallbackAfterSendMsg", MsgBody: "DEEP", security: "x" }).replace('"DEEP"', deep),
          };
    const posted = await sendRaw(url, { ...request, headers: { "content-type": "application/json" } });
    expect(posted).toMatchObject({ status: 200 });
    const page = await sendRaw(url, { method: "GET", path: "/api/unrecognized" });
    expect(page.kind === "answered" ? page.status : page.reason).toBe(200);
  } finally {
    await deployment.dispose();
  }
});
