import { Agent } from "node:http";
import {
  type AppendInput,
  type ProviderAdapterV1,
  type ReceivedCallback,
  checkStorableText,
  createProviderRequest,
  isFriendhookError,
  isUserId,
} from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createTencentAdapter } from "@friendhook/tencent";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type HttpOutcome,
  type RawRequest,
  type Route,
  apiHeaders,
  createAppDeployment,
  hostileRequests,
  killRunningAppProcesses,
  providerVariables,
  readAllEvents,
  recordFigures,
  reliabilityCredentials as credentials,
  resignEasemobBody,
  runSlowClient,
  sendRaw,
  signedEasemobBody,
  signedTencentBody,
  signedTencentPath,
} from "../src/index";

const bodyLimitBytes = 1024 * 1024;

/** The adapters exactly as the app builds them from its environment: the oracle of the differential tests. */
const oracles: Record<Route, ProviderAdapterV1> = {
  easemob: createEasemobAdapter({ secrets: [...credentials.easemobSecrets], appKeys: [...credentials.easemobAppKeys] }),
  tencent: createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: credentials.tencentToken }),
};

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
  deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console", FRIENDHOOK_BODY_LIMIT: String(bodyLimitBytes) });
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
            const expected = await oracleVerdict(route, raw);
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

/**
 * What the app must answer: the verdict of the adapter configured as the app configures it, then the
 * model's rules for what a receiver keeps. An event whose user id breaks the rule (`isUserId`), or
 * text no store can keep in the events or the kept callback (a NUL in a command, say:
 * `checkStorableText`), is refused with a 400 and nothing of it is stored.
 */
async function oracleVerdict(route: Route, raw: RawRequest): Promise<{ status: number; eventIds: string[] }> {
  const url = new URL(raw.path, "http://oracle.invalid");
  const body = raw.body ?? "";
  let callback: ReceivedCallback;
  try {
    callback = await oracles[route].receive(
      createProviderRequest({ method: "POST", path: url.pathname, query: url.searchParams, headers: { ...raw.headers }, body }),
    );
  } catch (error) {
    if (!isFriendhookError(error)) throw error;
    return { status: error.status, eventIds: [] };
  }
  const kept: AppendInput = {
    events: callback.events,
    callback: {
      id: "oracle",
      provider: callback.provider,
      appId: callback.appId,
      command: callback.unrecognized?.command ?? callback.command,
      receivedAt: new Date().toISOString(),
      body: callback.body ?? (typeof body === "string" ? body : new TextDecoder().decode(body)),
    },
    ...(callback.binding && { binding: callback.binding }),
    sinks: [],
  };
  const userIdsAccepted = callback.events.every((event) => isUserId(event.actor) && isUserId(event.target));
  if (!userIdsAccepted || checkStorableText(kept)) return { status: 400, eventIds: [] };
  return { status: callback.acknowledgement.status, eventIds: callback.events.map((event) => event.id) };
}
