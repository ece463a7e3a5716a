import { Agent } from "node:http";
import { defaultMaximumEventsPerCallback } from "@friendhook/tencent";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type BoundSignatures,
  type HttpOutcome,
  type RawRequest,
  type Route,
  apiHeaders,
  appAdapters,
  callbackShapeOfRaw,
  createAppDeployment,
  expectedAnswer,
  hostileRequests,
  killRunningAppProcesses,
  openImVariables,
  providerVariables,
  readAllEvents,
  readAllUnrecognized,
  recordFigures,
  reliabilityCredentials as credentials,
  resignEasemobBody,
  runMutationCampaign,
  runSlowClient,
  seedFromEnvironment,
  sendRaw,
  signedEasemobBody,
  signedTencentBody,
  signedTencentPath,
} from "../src/index";

const bodyLimitBytes = 1024 * 1024;

/** The adapters exactly as the app builds them from its environment: the oracle of the differential tests. */
const oracles = appAdapters(credentials);
/**
 * The signatures the app has bound, as the rules say, for the property test's callbacks (the
 * mutation campaign keeps its own: the two never share a signature).
 */
const boundSignatures: BoundSignatures = new Map();

const figures = {
  tried: 0,
  refused: 0,
  accepted: 0,
  serverErrors: 0,
  unanswered: 0,
  slowClients: 0,
  slowClientsAnswered408: 0,
  slowClientsClosed: 0,
  slowestSlowClientMs: 0,
  rssBeforeMiB: 0,
  rssAfterMiB: 0,
};

function count(outcome: HttpOutcome): void {
  figures.tried += 1;
  if (outcome.kind === "failed") figures.unanswered += 1;
  else if (outcome.status >= 500) figures.serverErrors += 1;
  else if (outcome.status >= 400) figures.refused += 1;
  else figures.accepted += 1;
}

const statusOf = (outcome: HttpOutcome) => (outcome.kind === "answered" ? outcome.status : `no answer (${outcome.reason})`);

let deployment: AppDeployment;
let url: string;

beforeAll(async () => {
  deployment = createAppDeployment({
    ...providerVariables(),
    ...openImVariables(),
    FRIENDHOOK_SINKS: "console",
    FRIENDHOOK_BODY_LIMIT: String(bodyLimitBytes),
  });
  ({ url } = await deployment.start());
});

afterAll(async () => {
  recordFigures("hostile-input", "Hostile input: malformed, oversized, slow and random requests", {
    hostileInputsTried: figures.tried,
    refused: figures.refused,
    serverErrorsSeen: figures.serverErrors,
    unanswered: figures.unanswered,
    notes: {
      signedRandomCallbacksAccepted: figures.accepted,
      slowClients: figures.slowClients,
      slowClientsAnswered408: figures.slowClientsAnswered408,
      slowClientsClosedWithoutAnswer: figures.slowClientsClosed,
      slowestSlowClientMs: figures.slowestSlowClientMs,
      residentSetBeforeFloodMiB: figures.rssBeforeMiB,
      residentSetAfterFloodMiB: figures.rssAfterMiB,
    },
  });
  await deployment?.dispose();
  killRunningAppProcesses();
});

describe("hostile input against the running app", () => {
  it("answers every request of the hostile table with its 4xx, stores nothing, and stays up", async () => {
    const table = hostileRequests({ credentials, bodyLimitBytes });
    const answers: Array<{ name: string; status: number | string }> = [];
    for (const hostile of table) {
      const outcome = await sendRaw(url, hostile.build());
      const closed = hostile.mayCloseInstead === true && outcome.kind === "failed" && /^(ECONNRESET|EPIPE)$/.test(outcome.reason);
      if (closed) {
        figures.tried += 1;
        figures.refused += 1;
      } else {
        count(outcome);
      }
      answers.push({ name: hostile.name, status: closed ? "closed" : statusOf(outcome) });
    }
    const expected = table.map((hostile, index) => {
      const status = answers[index]?.status;
      const acceptable =
        (hostile.status === undefined ? typeof status === "number" && status >= 400 && status < 500 : status === hostile.status) ||
        (hostile.mayCloseInstead === true && status === "closed");
      return { name: hostile.name, status: acceptable ? status : (hostile.status ?? "a 4xx") };
    });
    expect(answers).toEqual(expected);
    expect(table.length).toBeGreaterThan(150);
    expect(await readAllEvents(url)).toEqual([]);
    expect(deployment.current().hasExited()).toBe(false);
    // The read API is unharmed by what was refused.
    for (const path of ["/api/events", "/api/unrecognized", "/api/dead-letters", "/metrics", "/healthz"]) {
      expect(statusOf(await sendRaw(url, { method: "GET", path, headers: apiHeaders() })), path).toBe(200);
    }
  });

  it("answers a deeply nested authenticated callback of another family with 2xx or 4xx, and the read API keeps answering", async () => {
    // Easemob signs only callId and timestamp, Tencent only RequestTime: any captured callback can carry such a body.
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const requests: RawRequest[] = [
      {
        path: "/webhooks/easemob",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...signedEasemobBody(), chat_type: "chat", payload: "DEEP" }).replace('"DEEP"', deep),
      },
      {
        path: signedTencentPath("C2C.CallbackAfterSendMsg"),
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...signedTencentBody(), CallbackCommand: "C2C.CallbackAfterSendMsg", MsgBody: "DEEP", security: "x" }).replace('"DEEP"', deep),
      },
    ];
    for (const request of requests) {
      const outcome = await sendRaw(url, request);
      count(outcome);
      expect(statusOf(outcome)).toBeGreaterThanOrEqual(200);
      expect(statusOf(outcome)).toBeLessThan(500);
    }
    for (const path of ["/api/unrecognized", "/api/events", "/healthz"]) {
      expect(statusOf(await sendRaw(url, { method: "GET", path, headers: apiHeaders() })), path).toBe(200);
    }
  });

  it("refuses random bytes on both routes with a 4xx and stores nothing (property)", async () => {
    const storedBefore = (await readAllEvents(url)).length;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), fc.constantFrom<Route>("easemob", "tencent"), async (body, route) => {
          const request: RawRequest =
            route === "easemob"
              ? { path: "/webhooks/easemob", headers: { "content-type": "application/json" }, body }
              : { path: signedTencentPath("Sns.CallbackFriendAdd"), headers: { "content-type": "application/json" }, body };
          const outcome = await sendRaw(url, request, { agent });
          count(outcome);
          expect(statusOf(outcome)).toBeGreaterThanOrEqual(400);
          expect(statusOf(outcome)).toBeLessThan(500);
        }),
        { numRuns: 200 },
      );
    } finally {
      agent.destroy();
    }
    expect((await readAllEvents(url)).slice(storedBefore)).toEqual([]);
  });

  it("answers signed callbacks with random values in random fields exactly as the adapter and the rules of what is kept decide, never a 5xx (property)", async () => {
    const storedBefore = (await readAllEvents(url)).length;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const acceptedIds = new Set<string>();
    const fieldValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("__proto__", "constructor", "", "roster", "remove", "ban", "Sns.CallbackFriendAdd", "C2C.CallbackAfterSendMsg"),
    );
    const easemobFields = ["chat_type", "appkey", "from", "to", "msg_id", "payload", "eventType", "host", "timestamp", "callId", "__proto__", "constructor", "extra"];
    const payloadFields = ["operation", "roster_ver", "reason", "status", "__proto__"];
    const tencentFields = ["CallbackCommand", "PairList", "RequestId", "ClientIP", "OptPlatform", "ClientCmd", "EventTime", "__proto__", "constructor"];
    const pairFields = ["From_Account", "To_Account", "TimeStamp", "Initiator_Account", "__proto__"];
    const edits = (fields: string[]) => fc.array(fc.tuple(fc.constantFrom(...fields), fieldValue), { maxLength: 4 });

    const apply = (target: Record<string, unknown>, changes: ReadonlyArray<readonly [string, unknown]>) => {
      const copy = { ...target };
      // defineProperty, so that "__proto__" becomes an own key as JSON.parse makes it, not the prototype.
      for (const [name, value] of changes) Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
      return copy;
    };

    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<Route>("easemob", "tencent"),
          edits(easemobFields),
          edits(payloadFields),
          edits(tencentFields),
          edits(pairFields),
          fc.boolean(),
          async (route, topEdits, payloadEdits, tencentEdits, pairEdits, resign) => {
            let raw: RawRequest;
            if (route === "easemob") {
              const base = signedEasemobBody();
              let body = apply(base, topEdits);
              if (body.payload !== null && typeof body.payload === "object" && !Array.isArray(body.payload)) {
                body = { ...body, payload: apply(body.payload as Record<string, unknown>, payloadEdits) };
              }
              if (resign) body = resignEasemobBody(body, credentials.easemobSecrets[1]);
              raw = { path: "/webhooks/easemob", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
            } else {
              const base = signedTencentBody();
              const pairs = [apply({ From_Account: "mallory", To_Account: "victim" }, pairEdits)];
              const body = apply({ ...base, PairList: pairs }, tencentEdits);
              const command = typeof body.CallbackCommand === "string" && resign ? body.CallbackCommand : "Sns.CallbackFriendDelete";
              raw = { path: signedTencentPath(command), headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
            }
            const expected = await expectedAnswer(oracles[route], callbackShapeOfRaw(route, raw), boundSignatures, bodyLimitBytes);
            const outcome = await sendRaw(url, raw, { agent });
            count(outcome);
            expect(statusOf(outcome)).toBe(expected.status);
            for (const id of expected.eventIds) acceptedIds.add(id);
          },
        ),
        // Always tried: a re-signed Tencent command holding a NUL, which the adapter acknowledges as unknown and no store can keep.
        { numRuns: 300, examples: [["tencent", [], [], [["CallbackCommand", "\u0000"]], [], true]] },
      );
    } finally {
      agent.destroy();
    }
    const stored = (await readAllEvents(url)).slice(storedBefore);
    expect(stored.filter((event) => !acceptedIds.has(event.id))).toEqual([]);
  });

  it("answers over 10,000 mutations of genuine signed callbacks of every provider as the rules decide, never a 5xx, and stores only what the rules accept (seeded)", async () => {
    const seed = seedFromEnvironment();
    console.log(`hostile mutations: seed ${seed} (FRIENDHOOK_SEED=${seed} replays them)`);
    const eventsBefore = new Set((await readAllEvents(url)).map((event) => event.id));
    const unrecognizedBefore = new Set((await readAllUnrecognized(url)).map((callback) => callback.id));
    const startedAt = performance.now();
    const result = await runMutationCampaign({
      baseUrl: url,
      seed,
      genuinePerRoute: 40,
      mutationsPerGenuine: 85,
      concurrency: 6,
      bodyLimitBytes,
      maximumEventsPerCallback: defaultMaximumEventsPerCallback,
      credentials,
    });
    const elapsedMs = performance.now() - startedAt;
    const stored = await readAllEvents(url);
    const storedIds = new Set(stored.map((event) => event.id));
    const storedNew = stored.filter((event) => !eventsBefore.has(event.id));
    const unrecognizedNew = (await readAllUnrecognized(url)).filter((callback) => !unrecognizedBefore.has(callback.id));
    const tallies = Object.values(result.byRoute);
    const mutations = tallies.reduce((sum, tally) => sum + tally.mutations, 0);
    const storedAgainstTheRules = storedNew.filter((event) => !result.expectedEventIds.has(event.id));
    const acknowledgedButMissing = [...result.expectedEventIds].filter((id) => !storedIds.has(id));

    const { easemob, tencent, openim } = result.byRoute;
    recordFigures("hostile-mutations", "Hostile input: mutations of genuine signed callbacks (Easemob, Tencent, OpenIM)", {
      callbacksSent: mutations + tallies.reduce((sum, tally) => sum + tally.genuine, 0),
      acknowledged: tallies.reduce((sum, tally) => sum + tally.acknowledged, 0),
      refused: tallies.reduce((sum, tally) => sum + tally.refused, 0),
      unanswered: result.unanswered,
      eventsStored: storedNew.length,
      forgedStored: storedAgainstTheRules.length,
      lost: acknowledgedButMissing.length,
      hostileInputsTried: mutations,
      serverErrorsSeen: result.serverErrors,
      notes: {
        genuineCallbacks: tallies.reduce((sum, tally) => sum + tally.genuine, 0),
        easemobMutations: easemob.mutations,
        tencentMutations: tencent.mutations,
        openImMutations: openim.mutations,
        answersOtherThanTheRules: result.mismatches.length,
        acknowledgedAsCopies: tallies.reduce((sum, tally) => sum + tally.acknowledgedAsCopies, 0),
        acknowledgedAsUnrecognized: tallies.reduce((sum, tally) => sum + tally.acknowledgedAsUnrecognized, 0),
        acknowledgedWithNewEvents: `${easemob.acknowledgedWithNewEvents} Easemob, ${tencent.acknowledgedWithNewEvents} Tencent, ${openim.acknowledgedWithNewEvents} OpenIM`,
        easemobRefusals: describeCounts(easemob.refusedByCode),
        tencentRefusals: describeCounts(tencent.refusedByCode),
        openImRefusals: describeCounts(openim.refusedByCode),
        eventsOfGenuineCallbacks: result.genuineEventIds.size,
        unrecognizedKept: unrecognizedNew.length,
        seconds: Math.round(elapsedMs / 1000),
        seed,
      },
    });

    expect(mutations).toBeGreaterThanOrEqual(10_000);
    expect(result.mismatches.slice(0, 20), `${result.mismatches.length} answers differ from the rules (seed ${seed})`).toEqual([]);
    expect(result.serverErrors).toBe(0);
    expect(result.unanswered).toBe(0);
    expect(storedAgainstTheRules.map((event) => `${event.provider} ${event.type} ${event.actor} ${event.target}`)).toEqual([]);
    expect(acknowledgedButMissing).toEqual([]);
    expect(unrecognizedNew.filter((callback) => !result.expectedUnrecognizedIds.has(callback.id))).toEqual([]);
    // Each provider's mutations were mostly refused, and some reached past authentication to be judged on their content.
    for (const tally of tallies) {
      expect(tally.refused).toBeGreaterThan(tally.mutations / 4);
      expect(tally.acknowledged).toBeGreaterThan(0);
    }
    expect(deployment.current().hasExited()).toBe(false);
  }, 900_000);

  it("times out a client that stalls or trickles its body (408 or a closed connection) and keeps answering others meanwhile", async () => {
    const slowClients = [
      ...Array.from({ length: 10 }, () => ({ path: "/webhooks/easemob", behaviour: "stall" as const })),
      ...Array.from({ length: 10 }, () => ({ path: signedTencentPath("Sns.CallbackFriendAdd"), behaviour: "trickle" as const })),
    ].map((client) => runSlowClient(url, { ...client, declaredLength: 100_000, giveUpAfterMs: 45_000 }));
    figures.slowClients += slowClients.length;

    // While twenty connections hang on, genuine callbacks and the read API are answered.
    const others: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const callback = { path: "/webhooks/easemob", headers: { "content-type": "application/json" }, body: JSON.stringify(signedEasemobBody()) };
      others.push(statusOf(await sendRaw(url, callback)) as number);
      others.push(statusOf(await sendRaw(url, { method: "GET", path: "/healthz" })) as number);
    }
    const results = await Promise.all(slowClients);
    for (const result of results) {
      figures.tried += 1;
      if (result.status === 408) figures.slowClientsAnswered408 += 1;
      else if (result.closed) figures.slowClientsClosed += 1;
      figures.slowestSlowClientMs = Math.max(figures.slowestSlowClientMs, result.waitedMs);
      if (result.status !== undefined && result.status >= 500) figures.serverErrors += 1;
      else figures.refused += 1;
    }

    expect(others).toEqual(Array.from({ length: 40 }, () => 200));
    for (const result of results) {
      expect(result.hung, "the server waited forever for a slow body").toBe(false);
      expect(result.status === 408 || (result.status === undefined && result.closed), `answered ${result.status}`).toBe(true);
    }
    expect(deployment.current().hasExited()).toBe(false);
  });

  it("keeps its memory bounded through a flood of large, oversized and deeply nested bodies", async () => {
    const process = deployment.current();
    const nearLimit = "x".repeat(bodyLimitBytes - 4096);
    const flood: RawRequest[] = [];
    for (let index = 0; index < 150; index += 1) {
      flood.push({ path: "/webhooks/easemob", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...signedEasemobBody(), security: "0", to: nearLimit }) });
      flood.push({ path: signedTencentPath("Sns.CallbackFriendDelete"), headers: { "content-type": "application/json" }, body: `${"[".repeat(400_000)}${"]".repeat(400_000)}` });
      flood.push({ path: "/webhooks/easemob", headers: { "content-type": "application/json" }, body: nearLimit + nearLimit, chunked: true });
    }
    // A warm-up of the same kinds, so that "before" measures a process that has seen such bodies.
    await sendAll(flood.slice(0, 30), 4);
    const before = process.residentSetBytes();
    await sendAll(flood, 6);
    const after = process.residentSetBytes();
    figures.rssBeforeMiB = Math.round(before / 2 ** 20);
    figures.rssAfterMiB = Math.round(after / 2 ** 20);

    expect(after / before, `resident set ${figures.rssBeforeMiB} MiB before, ${figures.rssAfterMiB} MiB after`).toBeLessThan(3);
    expect(process.hasExited()).toBe(false);
    expect(statusOf(await sendRaw(url, { method: "GET", path: "/healthz" }))).toBe(200);
  });
});

async function sendAll(requests: readonly RawRequest[], concurrency: number): Promise<void> {
  let next = 0;
  const statuses: Array<number | string> = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < requests.length; index = next++) {
        const outcome = await sendRaw(url, requests[index] as RawRequest);
        count(outcome);
        statuses.push(statusOf(outcome));
      }
    }),
  );
  expect(statuses.filter((status) => typeof status !== "number" || status < 400 || status >= 500)).toEqual([]);
}

/** `invalid_payload 1,204, invalid_signature 310, …`, the largest first. */
function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([, left], [, right]) => right - left)
    .map(([code, count]) => `${code} ${count.toLocaleString("en-US")}`)
    .join(", ");
}
