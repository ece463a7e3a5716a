import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe("logs", () => {
  it("never contain a secret, a token, a signature or a raw body", async () => {
    const openImToken = "test-openim-token-7d31aa";
    app = await startApp({ ...bothProviders, OPENIM_TOKEN: openImToken });
    const easemobCallbacks = [
      buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "add", from: "alice", to: "bob", reason: "private words" }),
      buildEasemobCallback({ secret: "forged-secret", appKey: easemobAppKey, operation: "add", from: "mallory", to: "bob" }),
      buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "ban", from: "alice", to: "erin" }),
    ];
    const tencentCallbacks = [tencentToken, "a-wrong-token"].map((token) =>
      buildTencentCallback({
        sdkAppId: tencentSdkAppId,
        command: "Sns.CallbackBlackListAdd",
        token,
        body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "alice", To_Account: "dave" }] },
      }),
    );
    for (const callback of easemobCallbacks) await sendCallback(app.url, "easemob", callback);
    for (const callback of tencentCallbacks) await sendCallback(app.url, "tencent", callback);
    const openImCallbacks = [openImToken, "a-wrong-openim-token"].map((token) =>
      openImCallbackRequest({ body: openImCallbackBodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "erin" }), token, tokenScheme: "basic" }),
    );
    for (const callback of openImCallbacks) await sendCallback(app.url, "openim", callback);
    const basicCredentials = openImCallbacks.map((callback) => callback.headers.authorization!.replace(/^Basic /, ""));
    const signs = tencentCallbacks.map((callback) => callback.query.get("Sign")!);
    // A signature pasted into a query string where it does not belong.
    await request(`${app.url}/api/events?Sign=${signs[0]}`);
    await waitFor(() => (app!.printedLines.length >= 3 ? true : undefined), "the events to be delivered");

    const securities = easemobCallbacks.map((callback) => JSON.parse(Buffer.from(callback.body).toString("utf8")).security as string);
    const logs = app.logLines.join("");
    // The logs did record the traffic, refusals included, so the search below searched something.
    expect(app.logLines.filter((line) => line.includes('"msg":"request"')).length).toBe(8);
    expect(logs).toContain("invalid_signature");
    expect(logs).toContain('"path":"/webhooks/tencent"');
    expect(logs).toContain('"path":"/webhooks/openim/callbackBeforeAddBlackCommand"');
    for (const secret of [easemobSecret, tencentToken, openImToken, "a-wrong-openim-token", ...basicCredentials, ...securities, ...signs, "private words"]) {
      expect(logs).not.toContain(secret);
    }
  });

  it("mask secret-bearing fields wherever a log entry carries them", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", pretty: false, destination: { write: (line: string) => lines.push(line) } });
    logger.info(
      {
        EASEMOB_SECRET: "s1",
        environment: {
          TENCENT_TOKEN: "t1",
          OPENIM_TOKEN: "openim-token-1",
          FRIENDHOOK_HTTP_SINK_SECRET: "whsec_h1",
          FRIENDHOOK_API_TOKEN: "api-token-1",
          FRIENDHOOK_METRICS_TOKEN: "metrics-token-1",
        },
        configuration: { httpSinkSecrets: ["whsec_h2"], openim: { tokens: ["openim-token-2"] }, api: { tokens: ["api-token-2"] }, metricsTokens: ["metrics-token-2"] },
        request: { query: { Sign: "sign-1", SdkAppid: "1400000001" }, body: { security: "sec-1" }, headers: { authorization: "Bearer b1" } },
        token: "t2",
      },
      "everything at once",
    );
    const entry = JSON.parse(lines[0]!);
    expect(entry.request.query).toEqual({ Sign: "[redacted]", SdkAppid: "1400000001" });
    for (const value of [
      "s1",
      "t1",
      "openim-token-1",
      "whsec_h1",
      "whsec_h2",
      "openim-token-2",
      "api-token-1",
      "api-token-2",
      "metrics-token-1",
      "metrics-token-2",
      "sign-1",
      "sec-1",
      "Bearer b1",
      "t2",
    ]) {
      expect(lines[0]).not.toContain(value);
    }
  });
});
