import { randomBytes } from "node:crypto";
import { verifyStandardWebhook } from "@friendhook/http";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type DecisionEndpoint, type DecisionHandler, answerJson, startDecisionEndpoint } from "./support/decision-endpoint";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { tencentSdkAppId, tencentToken } = testCredentials;
const openImToken = "test-openim-token-51c0e2";
const providers = {
  TENCENT_SDKAPPID: tencentSdkAppId,
  TENCENT_TOKEN: tencentToken,
  OPENIM_TOKEN: openImToken,
  OPENIM_APP_ID: "openim-test",
};
const decisionSecret = `whsec_${randomBytes(32).toString("base64")}`;

const running: RunningApp[] = [];
const endpoints: DecisionEndpoint[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close()));
});

async function start(variables: Record<string, string> = {}) {
  const app = await startApp({ ...providers, ...variables });
  running.push(app);
  return app;
}

async function endpoint(handle: DecisionHandler) {
  const started = await startDecisionEndpoint(handle);
  endpoints.push(started);
  return started;
}

interface ResultItem {
  To_Account: string;
  ResultCode: number;
  ResultInfo: string;
}

interface RecordedDecision {
  id: string;
  provider: string;
  appId: string;
  stage: string;
  actor: string;
  target: string;
  accepting?: boolean;
  allow: boolean;
  decidedBy: string;
  reason?: string;
  code?: number;
  decidedAt: string;
  callbackId?: string;
}

interface PendingRequest {
  id: string;
  provider: string;
  appId: string;
  stage: string;
  actor: string;
  target: string;
  message?: string;
  callbackId?: string;
}

async function tencent(app: RunningApp, body: Record<string, unknown>) {
  const answer = await sendCallback(app.url, "tencent", buildTencentCallback({ sdkAppId: tencentSdkAppId, token: tencentToken, body }));
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as { ActionStatus: string; ErrorCode: number; ResultItem?: ResultItem[] };
}

async function openIm(app: RunningApp, body: Readonly<Record<string, unknown>>, operationId: string) {
  const answer = await sendCallback(app.url, "openim", openImCallbackRequest({ body, operationId, token: openImToken, tokenScheme: "basic" }));
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as { actionCode: number; errCode: number; errMsg: string; nextCode: number };
}

/** `owner` blocks each of `blocked` on Tencent, and the friend table says so. */
async function tencentBlock(app: RunningApp, owner: string, ...blocked: string[]) {
  await tencent(app, tencentCallbackBodies.blackListAdd({ pairs: blocked.map((toAccount) => ({ fromAccount: owner, toAccount })) }));
  const friends = await request(`${app.url}/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=${owner}`);
  expect(friends.body.blocked).toEqual(expect.arrayContaining(blocked));
}

/** Alice asks each target at once, as one `Sns.CallbackPrevFriendAdd`. */
const aliceAsks = (...targets: string[]) =>
  tencentCallbackBodies.prevFriendAdd({ fromAccount: "alice", friendItems: targets.map((toAccount) => ({ toAccount, addWording: `Hi ${toAccount}` })) });

/** The recorded decisions, once there are `count` of them (recording follows the answer). */
async function decisionsOf(app: RunningApp, count: number, query = ""): Promise<RecordedDecision[]> {
  return waitFor(async () => {
    const page = await request(`${app.url}/api/decisions${query}`);
    expect(page.status).toBe(200);
    const decisions = page.body.decisions as RecordedDecision[];
    return decisions.length >= count ? decisions : undefined;
  }, `${count} recorded decisions`);
}

const byTarget = (decisions: readonly RecordedDecision[]) =>
  Object.fromEntries(decisions.map((decision) => [decision.target, { allow: decision.allow, decidedBy: decision.decidedBy, reason: decision.reason }]));

const isTencentDenialCode = (code: number) => code >= 38000 && code <= 39000;

describe("the block rule", () => {
  it("refuses, in Tencent's ResultItem, the one request of several whose target blocks the requester, and records every decision", async () => {
    const app = await start();
    await tencentBlock(app, "carol", "alice");
    const answer = await tencent(app, aliceAsks("bob", "carol", "dave"));
    expect(answer.ActionStatus).toBe("OK");
    const items = answer.ResultItem ?? [];
    expect(items.map((item) => item.To_Account)).toEqual(["bob", "carol", "dave"]);
    expect(items[0]).toEqual({ To_Account: "bob", ResultCode: 0, ResultInfo: "" });
    expect(items[2]).toEqual({ To_Account: "dave", ResultCode: 0, ResultInfo: "" });
    expect(isTencentDenialCode(items[1]?.ResultCode ?? 0)).toBe(true);
    expect(items[1]?.ResultInfo).toBe("carol has blocked alice");

    // Only the requests that may happen became events.
    const events = (await request(`${app.url}/api/events`)).body.events as Array<{ type: string; target: string }>;
    expect(events.filter((event) => event.type === "friend.request.sent").map((event) => event.target)).toEqual(["bob", "dave"]);

    const decisions = await decisionsOf(app, 3);
    expect(byTarget(decisions)).toEqual({
      bob: { allow: true, decidedBy: "default", reason: "no rule refused the request" },
      carol: { allow: false, decidedBy: "block_rule", reason: "carol has blocked alice" },
      dave: { allow: true, decidedBy: "default", reason: "no rule refused the request" },
    });
    // Each decision names the callback it answered: the one the allowed requests' events came from.
    const sent = events.find((event) => event.type === "friend.request.sent") as { id: string } | undefined;
    const callback = (await request(`${app.url}/api/events/${sent?.id}/callback`)).body.callback as { id: string; command: string };
    expect(callback.command).toBe("Sns.CallbackPrevFriendAdd");
    for (const decision of decisions) {
      expect(decision).toMatchObject({ provider: "tencent", appId: tencentSdkAppId, stage: "request", actor: "alice", callbackId: callback.id });
      expect(Number.isNaN(Date.parse(decision.decidedAt))).toBe(false);
    }
    expect((await decisionsOf(app, 1, "?user=carol")).map((decision) => decision.target)).toEqual(["carol"]);
  });

  it("refuses an acceptance of a request whose requester has since blocked the responder, and lets a rejection through", async () => {
    const app = await start();
    await tencentBlock(app, "erin", "alice");
    const respond = (responseAction: string) =>
      tencentCallbackBodies.prevFriendResponse({ fromAccount: "alice", responseFriendItems: [{ toAccount: "erin", responseAction }] });
    const accepted = await tencent(app, respond("Response_Action_AgreeAndAdd"));
    expect(isTencentDenialCode(accepted.ResultItem?.[0]?.ResultCode ?? 0)).toBe(true);
    expect(accepted.ResultItem?.[0]?.ResultInfo).toBe("erin has blocked alice");
    const rejected = await tencent(app, respond("Response_Action_Reject"));
    expect(rejected.ResultItem).toEqual([{ To_Account: "erin", ResultCode: 0, ResultInfo: "" }]);
    const decisions = await decisionsOf(app, 2);
    expect(decisions.map((decision) => [decision.stage, decision.accepting, decision.allow, decision.decidedBy])).toEqual([
      ["response", true, false, "block_rule"],
      ["response", false, true, "default"],
    ]);
  });

  it("stops OpenIM's before-add with nextCode 1 when the target blocks the requester", async () => {
    const app = await start();
    await openIm(app, openImCallbackBodies.beforeAddBlack({ ownerUserID: "bob", blackUserID: "alice" }), "op-block");
    const answer = await openIm(app, openImCallbackBodies.beforeAddFriend({ fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob" }), "op-request");
    expect(answer).toMatchObject({ actionCode: 0, nextCode: 1, errMsg: "bob has blocked alice" });
    expect(answer.errCode).toBeGreaterThan(0);
    const allowed = await openIm(app, openImCallbackBodies.beforeAddFriend({ fromUserID: "alice", toUserID: "carol" }), "op-other");
    expect(allowed).toMatchObject({ actionCode: 0, errCode: 0, nextCode: 0 });
    // alice accepting an earlier request of bob's, who has blocked her since: refused too.
    const accepting = await openIm(app, openImCallbackBodies.beforeAddFriendAgree({ fromUserID: "bob", toUserID: "alice" }), "op-agree");
    expect(accepting).toMatchObject({ actionCode: 0, nextCode: 1, errMsg: "bob has blocked alice" });
    const decisions = await decisionsOf(app, 3, "?provider=openim");
    expect(decisions.map((decision) => [decision.appId, decision.stage, decision.actor, decision.target, decision.allow, decision.decidedBy])).toEqual([
      ["openim-test", "request", "alice", "bob", false, "block_rule"],
      ["openim-test", "request", "alice", "carol", true, "default"],
      ["openim-test", "response", "alice", "bob", false, "block_rule"],
    ]);
    const events = (await request(`${app.url}/api/events`)).body.events as Array<{ id: string; type: string; target: string }>;
    expect(events.filter((event) => event.type === "friend.request.sent").map((event) => event.target)).toEqual(["carol"]);
    const callback = (await request(`${app.url}/api/events/${events.find((event) => event.target === "carol")?.id}/callback`)).body.callback as { id: string };
    expect(decisions[1]?.callbackId).toBe(callback.id);
    // A refused request makes no event, yet its decision names its callback too.
    expect(decisions[0]?.callbackId).toMatch(/^cb_[0-9a-f]{32}$/);
    expect(decisions[0]?.callbackId).not.toBe(callback.id);
  });

  it("lets every request through when FRIENDHOOK_DECISION_BLOCK_RULE=off", async () => {
    const app = await start({ FRIENDHOOK_DECISION_BLOCK_RULE: "off" });
    await tencentBlock(app, "carol", "alice");
    const answer = await tencent(app, aliceAsks("carol"));
    expect(answer.ResultItem).toEqual([{ To_Account: "carol", ResultCode: 0, ResultInfo: "" }]);
    expect(byTarget(await decisionsOf(app, 1))).toEqual({ carol: { allow: true, decidedBy: "default", reason: "no rule refused the request" } });
  });
});

describe("the decision endpoint", () => {
  it("gets every pending request of a callback in one signed request, after the block rule, and decides each pair", async () => {
    const decide = await endpoint((received, response) => {
      const { requests } = JSON.parse(received.body) as { requests: PendingRequest[] };
      answerJson(response, 200, {
        decisions: requests.map((pending) =>
          pending.target === "carol" ? { id: pending.id, allow: false, reason: "carol takes no requests", code: 38123 } : { id: pending.id, allow: true },
        ),
      });
    });
    const app = await start({ FRIENDHOOK_DECISION_URL: decide.url, FRIENDHOOK_DECISION_SECRET: decisionSecret });
    await tencentBlock(app, "erin", "alice");
    const answer = await tencent(app, aliceAsks("bob", "carol", "dave", "erin"));
    expect(answer.ResultItem).toEqual([
      { To_Account: "bob", ResultCode: 0, ResultInfo: "" },
      { To_Account: "carol", ResultCode: 38123, ResultInfo: "carol takes no requests" },
      { To_Account: "dave", ResultCode: 0, ResultInfo: "" },
      { To_Account: "erin", ResultCode: expect.any(Number), ResultInfo: "erin has blocked alice" },
    ]);
    expect(isTencentDenialCode(answer.ResultItem?.[3]?.ResultCode ?? 0)).toBe(true);

    // One request for the callback, signed with the secret; erin's pair never reached it.
    expect(decide.received).toHaveLength(1);
    const [received] = decide.received;
    const verified = verifyStandardWebhook({ body: received?.body ?? "", headers: received?.headers ?? {}, secret: decisionSecret });
    const payload = verified.payload as { type: string; requests: PendingRequest[] };
    expect(payload.type).toBe("friend.request.decision");
    // The requests of one callback name it, one id for all.
    expect(payload.requests[0]?.callbackId).toMatch(/^cb_[0-9a-f]{32}$/);
    expect(new Set(payload.requests.map((pending) => pending.callbackId)).size).toBe(1);
    expect(payload.requests.map(({ provider, appId, stage, actor, target, message }) => ({ provider, appId, stage, actor, target, message }))).toEqual(
      ["bob", "carol", "dave"].map((target) => ({ provider: "tencent", appId: tencentSdkAppId, stage: "request", actor: "alice", target, message: `Hi ${target}` })),
    );
    expect(() => verifyStandardWebhook({ body: received?.body ?? "", headers: received?.headers ?? {}, secret: `whsec_${randomBytes(32).toString("base64")}` })).toThrow();

    const decisions = await decisionsOf(app, 4);
    expect(byTarget(decisions)).toEqual({
      bob: { allow: true, decidedBy: "endpoint", reason: undefined },
      carol: { allow: false, decidedBy: "endpoint", reason: "carol takes no requests" },
      dave: { allow: true, decidedBy: "endpoint", reason: undefined },
      erin: { allow: false, decidedBy: "block_rule", reason: "erin has blocked alice" },
    });
    expect(decisions.find((decision) => decision.target === "carol")?.code).toBe(38123);
    // A callback whose every request the block rule refuses asks the endpoint nothing.
    expect((await tencent(app, aliceAsks("erin"))).ResultItem?.[0]?.ResultInfo).toBe("erin has blocked alice");
    await decisionsOf(app, 5);
    expect(decide.received).toHaveLength(1);
    // The ids the endpoint was asked under are the ids the decisions are recorded under.
    expect(payload.requests.map((pending) => pending.id).sort()).toEqual(
      decisions.filter((decision) => decision.decidedBy === "endpoint").map((decision) => decision.id).sort(),
    );
  });

  it("decides OpenIM's before-add too, its denial in OpenIM's answer", async () => {
    const decide = await endpoint((received, response) => {
      const { requests } = JSON.parse(received.body) as { requests: PendingRequest[] };
      answerJson(response, 200, { decisions: requests.map((pending) => ({ id: pending.id, allow: false, reason: "not today", code: 7001 })) });
    });
    const app = await start({ FRIENDHOOK_DECISION_URL: decide.url, FRIENDHOOK_DECISION_SECRET: decisionSecret });
    const answer = await openIm(app, openImCallbackBodies.beforeAddFriend({ fromUserID: "alice", toUserID: "bob" }), "op-request");
    expect(answer).toMatchObject({ actionCode: 0, errCode: 7001, errMsg: "not today", nextCode: 1 });
    expect(byTarget(await decisionsOf(app, 1))).toEqual({ bob: { allow: false, decidedBy: "endpoint", reason: "not today" } });
  });

  for (const onTimeout of ["allow", "deny"] as const) {
    it(`applies FRIENDHOOK_DECISION_ON_TIMEOUT=${onTimeout} when the endpoint is slower than the timeout, and answers without waiting for it`, async () => {
      // The endpoint holds every request: it never answers while the app waits.
      const slow = await endpoint(() => undefined);
      // The default timeout, and no block rule to read the friend table first: the endpoint gets
      // the whole of the timeout, however busy the machine.
      const app = await start({
        FRIENDHOOK_DECISION_URL: slow.url,
        FRIENDHOOK_DECISION_SECRET: decisionSecret,
        FRIENDHOOK_DECISION_ON_TIMEOUT: onTimeout,
        FRIENDHOOK_DECISION_BLOCK_RULE: "off",
      });
      // The adapters' deadline, the timeout and the margin to answer in, lies within Tencent's 2 s wait.
      expect(app.configuration.decisions?.endpoint?.timeoutMs).toBe(1500);
      expect(app.configuration.decisions?.deadlineMs).toBeLessThan(2000);
      const answer = await tencent(app, aliceAsks("bob", "carol"));
      // The answer came while the endpoint still held the request: the app gave up on it.
      expect(slow.received).toHaveLength(1);
      expect(JSON.parse(slow.received[0]?.body ?? "{}").requests).toHaveLength(2);
      const items = answer.ResultItem ?? [];
      expect(items.map((item) => item.To_Account)).toEqual(["bob", "carol"]);
      for (const item of items) {
        if (onTimeout === "allow") expect(item).toMatchObject({ ResultCode: 0 });
        else expect(isTencentDenialCode(item.ResultCode)).toBe(true);
      }
      await waitFor(() => (slow.abandoned() === 1 ? true : undefined), "the app to abandon the endpoint's request");
      const decisions = await decisionsOf(app, 2);
      for (const decision of decisions) {
        expect(decision).toMatchObject({ allow: onTimeout === "allow", decidedBy: "timeout", reason: "the decision endpoint did not answer within 1500 ms" });
      }
    });
  }

  it("applies FRIENDHOOK_DECISION_ON_TIMEOUT when the endpoint answers 500, and records an endpoint_error", async () => {
    const failing = await endpoint((_, response) => answerJson(response, 500, { error: "down" }));
    const app = await start({ FRIENDHOOK_DECISION_URL: failing.url, FRIENDHOOK_DECISION_SECRET: decisionSecret, FRIENDHOOK_DECISION_ON_TIMEOUT: "deny" });
    const answer = await openIm(app, openImCallbackBodies.beforeAddFriend({ fromUserID: "alice", toUserID: "bob" }), "op-request");
    expect(answer).toMatchObject({ nextCode: 1, errMsg: "the decision endpoint answered HTTP 500" });
    expect(byTarget(await decisionsOf(app, 1))).toEqual({ bob: { allow: false, decidedBy: "endpoint_error", reason: "the decision endpoint answered HTTP 500" } });
  });

  it("applies FRIENDHOOK_DECISION_ON_TIMEOUT when the endpoint answers no JSON, or no decision for a request", async () => {
    let answers = 0;
    const confused = await endpoint((received, response) => {
      answers += 1;
      if (answers === 1) return answerJson(response, 200, "<html>not json</html>");
      const { requests } = JSON.parse(received.body) as { requests: PendingRequest[] };
      // Decides the first request only, and one it was never asked about.
      return answerJson(response, 200, { decisions: [{ id: requests[0]?.id, allow: false, reason: "no" }, { id: "dec_unknown", allow: false }] });
    });
    const app = await start({ FRIENDHOOK_DECISION_URL: confused.url, FRIENDHOOK_DECISION_SECRET: decisionSecret });
    const first = await tencent(app, aliceAsks("bob"));
    expect(first.ResultItem).toEqual([{ To_Account: "bob", ResultCode: 0, ResultInfo: "" }]);
    const second = await tencent(app, aliceAsks("carol", "dave"));
    expect(second.ResultItem?.[0]).toMatchObject({ To_Account: "carol", ResultInfo: "no" });
    expect(second.ResultItem?.[1]).toEqual({ To_Account: "dave", ResultCode: 0, ResultInfo: "" });
    expect(byTarget(await decisionsOf(app, 3))).toEqual({
      bob: { allow: true, decidedBy: "endpoint_error", reason: "the decision endpoint's answer is not JSON" },
      carol: { allow: false, decidedBy: "endpoint", reason: "no" },
      dave: { allow: true, decidedBy: "endpoint_error", reason: "the decision endpoint gave no decision for the request" },
    });
  });
});

describe("decision settings", () => {
  it("refuses a URL without a secret, a secret without a URL, a timeout past the provider's wait, and a fallback other than allow or deny", async () => {
    await expect(startApp({ ...providers, FRIENDHOOK_DECISION_URL: "https://decide.example.com/" })).rejects.toThrow(/FRIENDHOOK_DECISION_SECRET: is required with FRIENDHOOK_DECISION_URL/);
    await expect(startApp({ ...providers, FRIENDHOOK_DECISION_SECRET: decisionSecret })).rejects.toThrow(/FRIENDHOOK_DECISION_SECRET: is set, but FRIENDHOOK_DECISION_URL is not/);
    const invalid = startApp({
      ...providers,
      FRIENDHOOK_DECISION_URL: "ftp://decide.example.com/",
      FRIENDHOOK_DECISION_SECRET: "not-a-secret",
      FRIENDHOOK_DECISION_TIMEOUT: "1900",
      FRIENDHOOK_DECISION_ON_TIMEOUT: "maybe",
      FRIENDHOOK_DECISION_BLOCK_RULE: "yes",
    });
    await expect(invalid).rejects.toThrow(/FRIENDHOOK_DECISION_URL: must be an http:\/\/ or https:\/\/ URL/);
    await expect(invalid).rejects.toThrow(/FRIENDHOOK_DECISION_TIMEOUT: must be a whole number of milliseconds from 100 to 1699/);
    await expect(invalid).rejects.toThrow(/FRIENDHOOK_DECISION_ON_TIMEOUT: must be allow or deny/);
    await expect(invalid).rejects.toThrow(/FRIENDHOOK_DECISION_BLOCK_RULE: must be on or off/);
    await expect(invalid).rejects.toThrow(/FRIENDHOOK_DECISION_SECRET: .*is not a Standard Webhooks secret/);
    await expect(invalid).rejects.not.toThrow(/not-a-secret/);
  });

  it("refuses a bad query of /api/decisions with 400 invalid_query", async () => {
    const app = await start();
    expect((await request(`${app.url}/api/decisions?after=nope`)).body).toMatchObject({ error: { code: "invalid_query" } });
    expect((await request(`${app.url}/api/decisions?userr=alice`)).status).toBe(400);
  });
});
