import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, defaultMaximumEventsPerCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type TimedAnswer,
  answersDuring,
  appAdapters,
  createAppDeployment,
  errorCodeOf,
  getJson,
  killRunningAppProcesses,
  longestAnswerMs,
  openImVariables,
  probeHealth,
  providerVariables,
  readAllEvents,
  readAllUnrecognized,
  readMetrics,
  recordFigures,
  reliabilityCredentials as credentials,
  sendCallback,
  waitFor,
} from "../src/index";

// One signed callback used to make as many events as its body could list: a 1 MB OpenIM import made
// 175,363 events and held the event loop for 7.7 s. Each adapter now caps the events of one callback
// (413 too_many_events, counted before the list is read), and the receiver keeps a callback's body
// once, however many events it made. What the largest callback within the cap costs the event loop
// is measured here, from outside (how long /healthz takes meanwhile) and inside (the app's own
// event-loop lag, prom-client's nodejs_eventloop_lag_max_seconds, reset by every scrape).

const bodyLimitBytes = 1024 * 1024;
const cap = defaultMaximumEventsPerCallback;
const easemobCap = 10;
const rounds = 2;
const sdkAppId = credentials.tencentSdkAppIds[0];
/** The adapters as the app builds them: the ids of the events a callback makes. */
const adapters = appAdapters(credentials);

let deployment: AppDeployment;
let url: string;
let probing = true;
let probes: Promise<TimedAnswer[]>;
/** Every /healthz answer so far, in order. */
const probeLog: TimedAnswer[] = [];

beforeAll(async () => {
  deployment = createAppDeployment({ ...providerVariables(), ...openImVariables(), FRIENDHOOK_SINKS: "console" });
  ({ url } = await deployment.start());
  // An orchestrator's probe, every 10 ms on a new connection, for the whole file.
  probes = probeHealth(url, () => !probing, { intervalMs: 10, timeoutMs: 60_000, onAnswer: (answer) => probeLog.push(answer) });
});

afterAll(async () => {
  probing = false;
  await probes;
  await deployment?.dispose();
  killRunningAppProcesses();
});

/** `prefix` padded to `length` characters: ids as long as the body limit allows. */
const idOf = (prefix: string, length: number) => prefix.padEnd(length, "x");

const tencentDelete = (pairs: ReadonlyArray<{ fromAccount: string; toAccount: string }>) =>
  buildTencentCallback({ sdkAppId, token: credentials.tencentToken, body: tencentCallbackBodies.friendDelete({ pairs }) });
const openImImport = (owner: string, friends: readonly string[]) =>
  openImCallbackRequest({ body: openImCallbackBodies.afterImportFriends({ ownerUserID: owner, friendUserIDs: friends }), token: credentials.openImToken });

/** The SQLite database's files (with its write-ahead log), in bytes. */
function databaseBytes(): number {
  const directory = deployment.dataDirectory;
  return readdirSync(directory)
    .filter((name) => name.startsWith("friendhook.db"))
    .reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
}

/** The app's own event-loop delay since the last scrape, in milliseconds (each scrape starts a new measure). */
async function eventLoopLagMaxMs(): Promise<number> {
  return Math.round(((await readMetrics(url)).get("nodejs_eventloop_lag_max_seconds") ?? 0) * 1000);
}

interface Measured {
  readonly provider: string;
  readonly events: number;
  readonly bodyBytes: number;
  readonly status: number | string;
  readonly answerMs: number;
  readonly worstHealthDuringCallbackMs: number;
  readonly eventLoopLagDuringCallbackMs: number;
  readonly worstHealthDuringDeliveryMs: number;
  readonly eventLoopLagDuringDeliveryMs: number;
  readonly databaseGrowthBytes: number;
}

/** Sends one callback, then waits until the console sink has delivered its events, and measures both phases. */
async function measure(provider: "easemob" | "tencent" | "openim", request: ProviderRequest, events: number): Promise<Measured> {
  await eventLoopLagMaxMs();
  const databaseBefore = databaseBytes();
  const sentAt = performance.now();
  const outcome = await sendCallback(url, provider, request, { timeoutMs: 60_000 });
  const answeredAt = performance.now();
  const eventLoopLagDuringCallbackMs = await eventLoopLagMaxMs();
  let eventLoopLagDuringDeliveryMs = 0;
  await waitFor(
    "the console sink to deliver the callback's events",
    async () => {
      const metrics = await readMetrics(url);
      eventLoopLagDuringDeliveryMs = Math.max(eventLoopLagDuringDeliveryMs, Math.round((metrics.get("nodejs_eventloop_lag_max_seconds") ?? 0) * 1000));
      return (metrics.get('friendhook_deliveries_pending{sink="console"}') ?? 0) === 0 ? true : undefined;
    },
    60_000,
    50,
  );
  const drainedAt = performance.now();
  // The probe under way when the phase ended is part of it: probes go one at a time, so once one
  // sent after the end has answered, every probe of the phase is in the log.
  await waitFor("a health probe sent after the delivery", () => (probeLog.some((answer) => answer.sentAt > drainedAt) ? true : undefined), 120_000, 10);
  return {
    provider,
    events,
    bodyBytes: request.body.byteLength,
    status: outcome.kind === "answered" ? outcome.status : outcome.reason,
    answerMs: Math.round(answeredAt - sentAt),
    worstHealthDuringCallbackMs: longestAnswerMs(answersDuring(probeLog, sentAt, answeredAt)),
    eventLoopLagDuringCallbackMs,
    // Probes sent once the callback was answered: the one it held is the callback's.
    worstHealthDuringDeliveryMs: longestAnswerMs(probeLog.filter((answer) => answer.sentAt >= answeredAt && answer.sentAt <= drainedAt)),
    eventLoopLagDuringDeliveryMs,
    databaseGrowthBytes: databaseBytes() - databaseBefore,
  };
}

describe("amplification against the running app", () => {
  it("refuses a callback that lists more events than the cap with 413 too_many_events, at once, and stores nothing of it", async () => {
    const tencentPairs = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) => ({ fromAccount: `${prefix}${index.toString(36)}`, toAccount: `v${index.toString(36)}` }));
    const shortIds = (count: number) => Array.from({ length: count }, (_, index) => index.toString(36));
    // As many entries as 1 MB of JSON holds (the body limit is 1 MiB), with the shortest ids.
    const fitting = (entryBytes: (index: number) => number) => {
      let count = 0;
      for (let bytes = 400; bytes + entryBytes(count) <= 1_000_000; count += 1) bytes += entryBytes(count);
      return count;
    };
    const oneMegabyteOfIds = fitting((index) => index.toString(36).length + 3);
    const oneMegabyteOfPairs = fitting((index) => JSON.stringify({ From_Account: index.toString(36), To_Account: `v${index.toString(36)}` }).length + 1);
    const floods: Array<{ name: string; provider: "tencent" | "openim"; build: () => ProviderRequest }> = [
      { name: `Tencent FriendDelete of ${cap + 1} pairs`, provider: "tencent", build: () => tencentDelete(tencentPairs(cap + 1, "f")) },
      { name: `Tencent FriendDelete of 1 MB (${oneMegabyteOfPairs.toLocaleString("en-US")} pairs)`, provider: "tencent", build: () => tencentDelete(tencentPairs(oneMegabyteOfPairs, "")) },
      { name: `OpenIM import of ${cap + 1} friends`, provider: "openim", build: () => openImImport("rel-owner", shortIds(cap + 1)) },
      { name: `OpenIM import of 1 MB (${oneMegabyteOfIds.toLocaleString("en-US")} friends)`, provider: "openim", build: () => openImImport("rel-owner", shortIds(oneMegabyteOfIds)) },
    ];
    const storedBefore = (await readAllEvents(url)).length;
    const unrecognizedBefore = (await readAllUnrecognized(url)).length;
    const answers: Array<{ name: string; status: number | string; code: string | undefined; answerMs: number; worstHealthMs: number }> = [];
    for (const flood of floods) {
      for (let round = 0; round < rounds; round += 1) {
        const request = flood.build();
        const sentAt = performance.now();
        const outcome = await sendCallback(url, flood.provider, request, { timeoutMs: 60_000 });
        const answeredAt = performance.now();
        answers.push({
          name: flood.name,
          status: outcome.kind === "answered" ? outcome.status : outcome.reason,
          code: errorCodeOf(outcome),
          answerMs: Math.round(answeredAt - sentAt),
          worstHealthMs: longestAnswerMs(answersDuring(probeLog, sentAt, answeredAt)),
        });
      }
    }
    const storedAfter = (await readAllEvents(url)).length;

    recordFigures("amplification-over-cap", "Amplification: callbacks listing more events than the cap", {
      hostileInputsTried: answers.length,
      refused: answers.filter((answer) => answer.status === 413).length,
      eventsStored: storedAfter - storedBefore,
      serverErrorsSeen: answers.filter((answer) => typeof answer.status === "number" && answer.status >= 500).length,
      notes: {
        cap,
        largestPairListRefused: oneMegabyteOfPairs,
        largestImportRefused: oneMegabyteOfIds,
        slowestRefusalMs: Math.max(...answers.map((answer) => answer.answerMs)),
      },
    });

    expect(answers.map(({ name, status, code }) => ({ name, status, code }))).toEqual(answers.map(({ name }) => ({ name, status: 413, code: "too_many_events" })));
    expect(storedAfter).toBe(storedBefore);
    expect((await readAllUnrecognized(url)).length).toBe(unrecognizedBefore);
  });

  it("keeps the body of the largest callbacks within the cap once, however many events they make, and measures what they cost the event loop", async () => {
    // The quiet baseline: a hundred probes with nothing else sent, however long they take here.
    const quietFrom = performance.now();
    const quietProbes = await waitFor(
      "a hundred health probes on the idle app",
      () => {
        const answers = probeLog.filter((answer) => answer.sentAt >= quietFrom);
        return answers.length >= 100 ? answers : undefined;
      },
      120_000,
      10,
    );
    const quietWorstMs = longestAnswerMs(quietProbes);
    // Ids as long as the body limit allows for `cap` entries, each one of its own.
    const tencentIdLength = Math.floor(((bodyLimitBytes - 4096) / cap - 36) / 2);
    const openImIdLength = Math.floor((bodyLimitBytes - 4096) / cap - 3);
    const measured: Measured[] = [];
    const keptOnce: Array<{ provider: string; callbackIds: number; bodyBytes: number; sentBytes: number }> = [];
    for (let round = 0; round < rounds; round += 1) {
      const pairs = Array.from({ length: cap }, (_, index) => ({ fromAccount: idOf(`t${round}a${index}-`, tencentIdLength), toAccount: idOf(`t${round}b${index}-`, tencentIdLength) }));
      const tencent = tencentDelete(pairs);
      const tencentIds = (await adapters.tencent.receive(tencent)).events.map((event) => event.id);
      measured.push(await measure("tencent", tencent, cap));
      const friends = Array.from({ length: cap }, (_, index) => idOf(`o${round}f${index}-`, openImIdLength));
      const openIm = openImImport(`rel-owner-${round}`, friends);
      const openImIds = (await adapters.openim.receive(openIm)).events.map((event) => event.id);
      measured.push(await measure("openim", openIm, cap));
      // An Easemob callback makes two events at most (an accepted request): the largest is the longest body.
      const easemob = buildEasemobCallback({
        secret: credentials.easemobSecrets[0],
        operation: "add",
        from: `rel-erin-${round}`,
        to: `rel-frank-${round}`,
        appKey: credentials.easemobAppKeys[0],
        reason: "r".repeat(bodyLimitBytes - 4096),
      });
      measured.push(await measure("easemob", easemob, 1));

      for (const [provider, request, eventIds] of [["tencent", tencent, tencentIds], ["openim", openIm, openImIds]] as const) {
        const sample = [eventIds[0], eventIds[Math.floor(eventIds.length / 2)], eventIds.at(-1)];
        const kept = await Promise.all(sample.map((id) => getJson<{ callback: { id: string; body: string } }>(url, `/api/events/${id}/callback`)));
        keptOnce.push({
          provider,
          callbackIds: new Set(kept.map((answer) => answer.callback.id)).size,
          bodyBytes: Buffer.byteLength(kept[0]?.callback.body ?? ""),
          sentBytes: request.body.byteLength,
        });
      }
    }

    const byProvider = (provider: string) => measured.filter((entry) => entry.provider === provider);
    const worst = (provider: string, key: keyof Measured) => Math.max(...byProvider(provider).map((entry) => Number(entry[key])));
    recordFigures("amplification-within-cap", "Amplification: the largest callbacks within the cap, and /healthz meanwhile", {
      callbacksSent: measured.length,
      acknowledged: measured.filter((entry) => entry.status === 200).length,
      eventsStored: (await readAllEvents(url)).length,
      serverErrorsSeen: measured.filter((entry) => typeof entry.status === "number" && entry.status >= 500).length,
      notes: {
        rounds,
        healthProbes: probeLog.length,
        quietWorstHealthMs: quietWorstMs,
        ...Object.fromEntries(
          ["tencent", "openim", "easemob"].flatMap((provider) => [
            [`${provider}BodyBytes`, worst(provider, "bodyBytes")],
            [`${provider}Events`, worst(provider, "events")],
            [`${provider}SlowestAnswerMs`, worst(provider, "answerMs")],
            [`${provider}WorstHealthDuringCallbackMs`, worst(provider, "worstHealthDuringCallbackMs")],
            [`${provider}EventLoopLagDuringCallbackMs`, worst(provider, "eventLoopLagDuringCallbackMs")],
            [`${provider}WorstHealthDuringDeliveryMs`, worst(provider, "worstHealthDuringDeliveryMs")],
            [`${provider}EventLoopLagDuringDeliveryMs`, worst(provider, "eventLoopLagDuringDeliveryMs")],
            [`${provider}DatabaseGrowthBytes`, worst(provider, "databaseGrowthBytes")],
          ]),
        ),
      },
    });
    console.log(JSON.stringify({ quietWorstMs, measured }, null, 1));

    expect(measured.map((entry) => ({ provider: entry.provider, status: entry.status }))).toEqual(measured.map((entry) => ({ provider: entry.provider, status: 200 })));
    // Every event of one callback links to one kept callback, whose body is the body sent, once.
    expect(keptOnce).toEqual(keptOnce.map((entry) => ({ ...entry, callbackIds: 1, bodyBytes: entry.sentBytes })));
    // Far less than one body per event: 10,000 events of a 1 MB callback, stored with their body each, would be 10 GB.
    for (const entry of byProvider("tencent")) expect(entry.databaseGrowthBytes).toBeLessThan(entry.bodyBytes * 100);
  }, 900_000);
});
