import { type ProviderAdapterV1, isFriendhookError } from "@friendhook/core";
import { buildEasemobCallback, createEasemobAdapter } from "@friendhook/easemob";
import { buildTencentCallback, createTencentAdapter } from "@friendhook/tencent";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type Forgery,
  createAppDeployment,
  easemobForgeries,
  errorCodeOf,
  expectedEventsOf,
  killRunningAppProcesses,
  providerVariables,
  readAllEvents,
  recordFigures,
  reliabilityCredentials,
  sendCallback,
  tencentForgeries,
} from "../src/index";

const credentials = reliabilityCredentials;
const forgeries: Forgery[] = [...easemobForgeries(), ...tencentForgeries()];

/** The adapters exactly as the app builds them from its environment. */
const adapters: Record<Forgery["route"], ProviderAdapterV1> = {
  easemob: createEasemobAdapter({ secrets: [...credentials.easemobSecrets], appKeys: [...credentials.easemobAppKeys] }),
  tencent: createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: credentials.tencentToken }),
};

async function refusalOf(adapter: ProviderAdapterV1, request: Parameters<ProviderAdapterV1["receive"]>[0]) {
  try {
    const callback = await adapter.receive(request);
    return { accepted: callback.events.length };
  } catch (error) {
    if (!isFriendhookError(error)) throw error;
    return { code: error.code, status: error.status };
  }
}

describe("forgery, at the adapters", () => {
  it.each(forgeries.map((forgery) => [forgery.name, forgery] as const))("refuses %s", async (_name, forgery) => {
    expect(await refusalOf(adapters[forgery.route], forgery.build())).toEqual({ code: forgery.code, status: forgery.status });
  });

  it("refuses any Easemob security but the right one (property)", async () => {
    const secret = credentials.easemobSecrets[0];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 64 }), fc.stringMatching(/^[0-9a-f]{32}$/)), async (security) => {
        const request = buildEasemobCallback({ secret, operation: "remove", from: "mallory", to: "victim", appKey: credentials.easemobAppKeys[0] });
        const body = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
        const signed = { ...request, body: new TextEncoder().encode(JSON.stringify({ ...body, security })) };
        const outcome = await refusalOf(adapters.easemob, signed);
        if (security.toLowerCase() === body.security) expect(outcome).toEqual({ accepted: 1 });
        else expect(outcome).toEqual({ code: security === "" ? "missing_signature" : "invalid_signature", status: 401 });
      }),
      { numRuns: 300 },
    );
  });

  it("refuses any Tencent Sign but the right one (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.stringMatching(/^[0-9a-f]{64}$/)), async (sign) => {
        const request = buildTencentCallback({
          sdkAppId: credentials.tencentSdkAppIds[0],
          token: credentials.tencentToken,
          command: "Sns.CallbackBlackListAdd",
          body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "mallory", To_Account: "victim" }] },
        });
        const genuineSign = request.query.get("Sign");
        const query = new URLSearchParams(request.query);
        query.set("Sign", sign);
        const outcome = await refusalOf(adapters.tencent, { ...request, query });
        if (sign.toLowerCase() === genuineSign) expect(outcome).toEqual({ accepted: 1 });
        else expect(outcome).toEqual({ code: "invalid_signature", status: 401 });
      }),
      { numRuns: 300 },
    );
  });
});

describe("Tencent token rotation, at the adapter", () => {
  // The example app takes one TENCENT_TOKEN; the adapter takes the old and the new token while the
  // Chat console's token is being changed, as the Easemob and OpenIM adapters take several secrets.
  const oldToken = credentials.tencentToken;
  const newToken = "rel-tencent-rotated-Zp4Wq8Nc2";
  const rotating = createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: [oldToken, newToken] });
  const signedWith = (token: string, index: number) =>
    buildTencentCallback({
      sdkAppId: credentials.tencentSdkAppIds[0],
      token,
      body: { CallbackCommand: "Sns.CallbackFriendDelete", PairList: [{ From_Account: "alice", To_Account: `bob-${index}` }], RequestId: `rotation-${index}` },
    });

  it("accepts callbacks signed with either token of a rotation, on the head and on the whole callback, and refuses any other token", async () => {
    const verdicts: Array<{ token: string; head: string; callback: string }> = [];
    for (const [index, token] of [oldToken, newToken, "a-token-the-app-does-not-know", `${newToken}x`, newToken.slice(0, -1)].entries()) {
      const request = signedWith(token, index);
      let head = "accepted";
      try {
        rotating.authenticateHead?.(request);
      } catch (error) {
        if (!isFriendhookError(error)) throw error;
        head = error.code;
      }
      const outcome = await refusalOf(rotating, request);
      verdicts.push({ token: index < 2 ? `token ${index + 1} of the rotation` : `another token (${index})`, head, callback: "code" in outcome ? String(outcome.code) : "accepted" });
    }
    recordFigures("tencent-token-rotation", "Tencent token rotation: the old and the new token, and others (at the adapter)", {
      callbacksSent: verdicts.length,
      acknowledged: verdicts.filter((verdict) => verdict.callback === "accepted").length,
      refused: verdicts.filter((verdict) => verdict.callback !== "accepted").length,
      hostileInputsTried: verdicts.length - 2,
      notes: { tokensConfigured: 2, checkedOnTheHeadAndTheWholeCallback: "yes" },
    });
    expect(verdicts).toEqual([
      { token: "token 1 of the rotation", head: "accepted", callback: "accepted" },
      { token: "token 2 of the rotation", head: "accepted", callback: "accepted" },
      { token: "another token (2)", head: "invalid_signature", callback: "invalid_signature" },
      { token: "another token (3)", head: "invalid_signature", callback: "invalid_signature" },
      { token: "another token (4)", head: "invalid_signature", callback: "invalid_signature" },
    ]);
  });
});

describe("forgery, against the running app", () => {
  let deployment: AppDeployment;
  beforeAll(async () => {
    deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
    await deployment.start();
  });
  afterAll(async () => {
    await deployment?.dispose();
    killRunningAppProcesses();
  });

  it("refuses every forgery with its code, stores none of them, and still takes genuine callbacks", async () => {
    const { url } = deployment.current();
    const answers: Array<{ name: string; status: number | string; code: string | undefined }> = [];
    const forgedIds: string[] = [];
    for (const forgery of forgeries) {
      const request = forgery.build();
      forgedIds.push(...(await expectedEventsOf(forgery.route, request)).eventIds);
      const outcome = await sendCallback(url, forgery.route, request);
      answers.push({ name: forgery.name, status: outcome.kind === "answered" ? outcome.status : outcome.reason, code: errorCodeOf(outcome) });
    }
    // Genuine callbacks afterwards: the refusals were the app's judgement, not an app that refuses everything.
    const genuine = [
      buildEasemobCallback({ secret: credentials.easemobSecrets[0], operation: "remove", from: "alice", to: "bob", appKey: credentials.easemobAppKeys[0] }),
      buildEasemobCallback({ secret: credentials.easemobSecrets[1], operation: "remove", from: "carol", to: "dave", appKey: credentials.easemobAppKeys[1] }),
    ];
    const genuineTencent = buildTencentCallback({
      sdkAppId: credentials.tencentSdkAppIds[1],
      token: credentials.tencentToken,
      command: "Sns.CallbackFriendDelete",
      body: { CallbackCommand: "Sns.CallbackFriendDelete", PairList: [{ From_Account: "erin", To_Account: "frank" }], RequestId: "genuine-1" },
    });
    const genuineStatuses = [
      ...(await Promise.all(genuine.map((request) => sendCallback(url, "easemob", request)))),
      await sendCallback(url, "tencent", genuineTencent),
    ].map((outcome) => (outcome.kind === "answered" ? outcome.status : outcome.reason));
    const stored = await readAllEvents(url);

    recordFigures("forgery", "Forgery: bad, missing, stale or misapplied signatures", {
      hostileInputsTried: forgeries.length,
      refused: answers.filter((answer) => typeof answer.status === "number" && answer.status >= 400 && answer.status < 500).length,
      forgedStored: stored.filter((event) => forgedIds.includes(event.id)).length,
      serverErrorsSeen: answers.filter((answer) => typeof answer.status === "number" && answer.status >= 500).length,
      acknowledged: genuineStatuses.filter((status) => status === 200).length,
      notes: { adapterLevelPropertyRuns: 600 },
    });

    expect(answers).toEqual(forgeries.map((forgery) => ({ name: forgery.name, status: forgery.status, code: forgery.code })));
    expect(forgedIds.length).toBeGreaterThan(0);
    expect(genuineStatuses).toEqual([200, 200, 200]);
    expect(stored.map((event) => `${event.provider} ${event.type} ${event.actor} ${event.target}`).sort()).toEqual([
      "easemob friend.removed alice bob",
      "easemob friend.removed carol dave",
      "tencent friend.removed erin frank",
    ]);
  });
});
