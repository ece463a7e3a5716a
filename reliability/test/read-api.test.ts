import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterAll, describe, expect, it } from "vitest";
import {
  type HttpOutcome,
  apiHeaders,
  apiRouteProbes,
  createAppDeployment,
  crossSiteReplays,
  errorCodeOf,
  httpSinkVariables,
  killRunningAppProcesses,
  providerVariables,
  readAllDeadLetters,
  readMetrics,
  recordFigures,
  reliabilityCredentials as credentials,
  runAppUntilExit,
  sendCallback,
  sendRaw,
  startWebhookRecorder,
  waitFor,
  wrongAuthorizations,
} from "../src/index";

afterAll(killRunningAppProcesses);

const rotatedApiToken = "rel-api-token-rotated-Gm5Yt2Rb8Hc0";
const appKey = credentials.easemobAppKeys[0];
const sdkAppId = credentials.tencentSdkAppIds[0];
/** What the stored callbacks hold that no stranger may read: user ids, a friend-request message, an end user's IP address. */
const privateData = ["rel-private-alice", "rel-private-bob", "rel-private-carol", "see you at the lake house", "198.51.100.23"];
const friendsQuery = new URLSearchParams({ provider: "tencent", appId: sdkAppId, userId: "rel-private-alice" }).toString();

/** A friend request with a message (Easemob), and friend adds that record the user's IP address (Tencent). */
async function storePrivateCallbacks(url: string): Promise<number> {
  const callbacks = [
    sendCallback(
      url,
      "easemob",
      buildEasemobCallback({
        secret: credentials.easemobSecrets[0],
        appKey,
        operation: "add",
        from: `${appKey}_rel-private-alice@easemob.com`,
        to: "rel-private-bob",
        reason: "see you at the lake house",
      }),
    ),
    ...["rel-private-bob", "rel-private-carol"].map((friend) =>
      sendCallback(
        url,
        "tencent",
        buildTencentCallback({
          sdkAppId,
          token: credentials.tencentToken,
          command: "Sns.CallbackFriendAdd",
          body: {
            CallbackCommand: "Sns.CallbackFriendAdd",
            PairList: [{ From_Account: "rel-private-alice", To_Account: friend, Initiator_Account: "rel-private-alice" }],
            ClientIP: "198.51.100.23",
          },
        }),
      ),
    ),
  ];
  for (const outcome of await Promise.all(callbacks)) expect(outcome).toMatchObject({ kind: "answered", status: 200 });
  return callbacks.length;
}

function leaksIn(outcome: HttpOutcome): string[] {
  const text = outcome.kind === "answered" ? `${JSON.stringify(outcome.headers)} ${outcome.body}` : "";
  return privateData.filter((secret) => text.includes(secret));
}

const tokenFigures = { callbacks: 0, tried: 0, refused: 0, leaks: 0, serverErrors: 0, authorizedReads: 0, replayedByStrangers: 0 };
const csrfFigures = { callbacks: 0, tried: 0, refused: 0, replayed: 0, deliveredAfterAttacks: 0, serverErrors: 0, deadLetters: 0 };
const productionFigures = { refusedStarts: 0, callbacks: 0, acknowledged: 0, apiRequests: 0, notFound: 0, leaks: 0, serverErrors: 0 };

describe("the read API, with FRIENDHOOK_API_TOKEN", () => {
  it("answers 401 to every request without the token or with a wrong one, shows nothing, replays nothing, and takes both tokens of a rotation", async () => {
    const recorder = await startWebhookRecorder(credentials.webhookSecret);
    recorder.mode = "unavailable";
    const deployment = createAppDeployment({
      ...providerVariables(),
      ...httpSinkVariables(recorder.url),
      FRIENDHOOK_API_TOKEN: `${credentials.apiToken},${rotatedApiToken}`,
      // One attempt: every event is a dead letter at once, ready for a replay a stranger might trigger.
      FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "1",
    });
    try {
      const { url } = await deployment.start();
      tokenFigures.callbacks += await storePrivateCallbacks(url);
      const deadLetters = await waitFor("three dead letters", async () => {
        const letters = await readAllDeadLetters(url);
        return letters.length === 3 ? letters : undefined;
      });
      // From now on a replay would be delivered, and counted.
      recorder.mode = "accept";

      for (const { name: credentialName, authorization } of wrongAuthorizations(credentials.apiToken, credentials.tencentToken)) {
        for (const probe of apiRouteProbes(friendsQuery)) {
          const headers = { ...probe.request.headers, ...(authorization === undefined ? {} : { authorization }) };
          const outcome = await sendRaw(url, { ...probe.request, headers });
          tokenFigures.tried += 1;
          const label = `${probe.name} with ${credentialName}`;
          expect(outcome.kind, label).toBe("answered");
          if (outcome.kind !== "answered") continue;
          if (outcome.status >= 500) tokenFigures.serverErrors += 1;
          if (outcome.status === 401) tokenFigures.refused += 1;
          expect(outcome.status, label).toBe(401);
          expect(outcome.headers["www-authenticate"], label).toMatch(/^Bearer realm="friendhook"/);
          if (probe.request.method !== "HEAD") expect(errorCodeOf(outcome), label).toBe("unauthorized");
          const leaks = leaksIn(outcome);
          tokenFigures.leaks += leaks.length;
          expect(leaks, label).toEqual([]);
        }
      }
      // Nothing was replayed: the dead letters are all there, and the sink received nothing.
      expect((await readAllDeadLetters(url)).map((letter) => letter.deliveryId)).toEqual(deadLetters.map((letter) => letter.deliveryId));
      tokenFigures.replayedByStrangers += recorder.deliveries.length;
      expect(recorder.deliveries).toHaveLength(0);

      // Both tokens of the rotation read everything.
      for (const token of [credentials.apiToken, rotatedApiToken]) {
        const authorization = { authorization: `Bearer ${token}` };
        const events = await sendRaw(url, { method: "GET", path: "/api/events?limit=1000", headers: authorization });
        const friends = await sendRaw(url, { method: "GET", path: `/api/friends?${friendsQuery}`, headers: authorization });
        expect(events).toMatchObject({ status: 200 });
        expect(friends).toMatchObject({ status: 200 });
        if (friends.kind === "answered") expect(JSON.parse(friends.body)).toEqual({ friends: ["rel-private-bob", "rel-private-carol"], blocked: [] });
        if (events.kind === "answered") expect(leaksIn(events)).toEqual(privateData);
        tokenFigures.authorizedReads += 2;
      }
      await deployment.current().stop();
      const output = deployment.current().output();
      for (const token of [credentials.apiToken, rotatedApiToken]) expect(output).not.toContain(token);
    } finally {
      await deployment.dispose();
      await recorder.close();
    }
  });
});

describe("changes through the API, from another site (CSRF)", () => {
  it("refuses every request a page of another site can make without a preflight, and replays nothing", async () => {
    const recorder = await startWebhookRecorder(credentials.webhookSecret);
    recorder.mode = "unavailable";
    // No token: the case a token cannot help with. A browser on the operator's machine reaches the app.
    const deployment = createAppDeployment({
      ...providerVariables(),
      ...httpSinkVariables(recorder.url),
      NODE_ENV: "development",
      FRIENDHOOK_API_TOKEN: "",
      FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "1",
    });
    try {
      const { url } = await deployment.start();
      csrfFigures.callbacks += await storePrivateCallbacks(url);
      await waitFor("three dead letters", async () => ((await readAllDeadLetters(url)).length === 3 ? true : undefined));
      recorder.mode = "accept";

      const rounds = 5;
      for (let round = 0; round < rounds; round += 1) {
        for (const attack of crossSiteReplays()) {
          const outcome = await sendRaw(url, attack.request);
          csrfFigures.tried += 1;
          expect(outcome.kind, attack.name).toBe("answered");
          if (outcome.kind !== "answered") continue;
          if (outcome.status >= 500) csrfFigures.serverErrors += 1;
          if (outcome.status === 403 || outcome.status === 415) csrfFigures.refused += 1;
          expect([403, 415], attack.name).toContain(outcome.status);
          expect(["cross_site_request", "unsupported_media_type"], attack.name).toContain(errorCodeOf(outcome));
          expect(outcome.body, attack.name).not.toContain("replayed");
        }
      }
      // A replay takes the deliveries out of the dead letters before it answers: all three still there
      // means none was replayed.
      csrfFigures.deadLetters = (await readAllDeadLetters(url)).length;
      expect(csrfFigures.deadLetters).toBe(3);
      csrfFigures.deliveredAfterAttacks = recorder.deliveries.length;
      expect(recorder.deliveries).toHaveLength(0);

      // The operator's replay, as `curl -X POST -H 'Content-Type: application/json'` sends it, goes through.
      const replay = await sendRaw(url, { method: "POST", path: "/api/dead-letters/replay", headers: { "content-type": "application/json" } });
      expect(replay).toMatchObject({ status: 200, body: '{"replayed":3}' });
      await waitFor("the replayed events to be delivered", () => (recorder.deliveries.length === 3 ? true : undefined));
      expect(await readAllDeadLetters(url)).toEqual([]);
    } finally {
      await deployment.dispose();
      await recorder.close();
    }
  });
});

describe("the read API in production", () => {
  it("refuses to start without FRIENDHOOK_API_TOKEN, with a message that says what to do", async () => {
    const workingDirectory = mkdtempSync(join(tmpdir(), "friendhook-reliability-start-"));
    try {
      const { code, output } = await runAppUntilExit({
        variables: { ...providerVariables(), FRIENDHOOK_API_TOKEN: "" },
        dataDirectory: join(workingDirectory, "data"),
        workingDirectory,
      });
      productionFigures.refusedStarts += 1;
      expect(code).toBe(1);
      expect(output).toContain(
        "FRIENDHOOK_API_TOKEN: is required in production while the read API is on: /api/* serves the friend table, friend-request messages and end users' IP addresses",
      );
      expect(output).toContain("or set FRIENDHOOK_API=off");
      expect(output).not.toContain("friendhook is listening");
    } finally {
      rmSync(workingDirectory, { recursive: true, force: true });
    }
  });

  it("with FRIENDHOOK_API=off and no token: the webhooks, /healthz and /metrics work, every /api path is 404", async () => {
    const deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_API: "off", FRIENDHOOK_API_TOKEN: "" });
    try {
      const { url } = await deployment.start();
      const callbacks = await storePrivateCallbacks(url);
      productionFigures.callbacks += callbacks;
      productionFigures.acknowledged += callbacks;
      expect(await sendRaw(url, { method: "GET", path: "/healthz" })).toMatchObject({ status: 200, body: '{"status":"ok"}' });
      const metrics = await readMetrics(url);
      expect(metrics.get('friendhook_callbacks_total{provider="tencent",outcome="stored"}')).toBe(2);
      expect(metrics.get('friendhook_callbacks_total{provider="easemob",outcome="stored"}')).toBe(1);

      for (const { authorization } of [{ authorization: undefined }, { authorization: apiHeaders().authorization }]) {
        for (const probe of apiRouteProbes(friendsQuery)) {
          const outcome = await sendRaw(url, { ...probe.request, headers: { ...probe.request.headers, ...(authorization && { authorization }) } });
          productionFigures.apiRequests += 1;
          expect(outcome.kind, probe.name).toBe("answered");
          if (outcome.kind !== "answered") continue;
          if (outcome.status >= 500) productionFigures.serverErrors += 1;
          if (outcome.status === 404) productionFigures.notFound += 1;
          expect(outcome.status, probe.name).toBe(404);
          if (probe.request.method !== "HEAD") expect(errorCodeOf(outcome), probe.name).toBe("not_found");
          productionFigures.leaks += leaksIn(outcome).length;
          expect(leaksIn(outcome), probe.name).toEqual([]);
        }
      }
    } finally {
      await deployment.dispose();
    }
  });
});

afterAll(() => {
  recordFigures("read-api-token", "Read API: no token, a wrong token, both tokens of a rotation", {
    callbacksSent: tokenFigures.callbacks,
    acknowledged: tokenFigures.authorizedReads,
    refused: tokenFigures.refused,
    hostileInputsTried: tokenFigures.tried,
    serverErrorsSeen: tokenFigures.serverErrors,
    notes: { dataLeaked: tokenFigures.leaks, replayedByStrangers: tokenFigures.replayedByStrangers },
  });
  recordFigures("read-api-csrf", "Read API: cross-site replay of the dead letters (CSRF)", {
    callbacksSent: csrfFigures.callbacks,
    refused: csrfFigures.refused,
    hostileInputsTried: csrfFigures.tried,
    serverErrorsSeen: csrfFigures.serverErrors,
    notes: { deadLettersLeft: csrfFigures.deadLetters, deliveredByCrossSiteRequests: csrfFigures.deliveredAfterAttacks },
  });
  recordFigures("read-api-production", "Read API in production: no token refuses the start; FRIENDHOOK_API=off", {
    callbacksSent: productionFigures.callbacks,
    acknowledged: productionFigures.acknowledged,
    serverErrorsSeen: productionFigures.serverErrors,
    hostileInputsTried: productionFigures.apiRequests,
    notes: { startsRefused: productionFigures.refusedStarts, apiRequestsAnswered404: productionFigures.notFound, dataLeaked: productionFigures.leaks },
  });
});
