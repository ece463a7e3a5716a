import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemorySink } from "@friendhook/core";
import { parseConfiguration } from "@friendhook/example/src/config/configuration";
import { type FriendhookApp, createApp } from "@friendhook/example/src/create-app";
import { createLogger } from "@friendhook/example/src/logger";
import { listen, localUrlOf } from "@friendhook/example/src/serve";
import { shutDown } from "@friendhook/example/src/shutdown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  firstOrderPerPair,
  planPairTraffic,
  providerVariables,
  readAllDeadLetters,
  readAllEvents,
  readMetrics,
  recordFigures,
  sendLikeAProvider,
  sleep,
  summarize,
  waitFor,
} from "../src/index";

/**
 * The app's only sinks so far are `console` and `memory`, neither of which can be made to fail
 * from outside the process, so this test runs the app's own `createApp` in this process (with its
 * default delivery settings, served over HTTP on 127.0.0.1) and switches the memory sink off and on.
 */
let directory: string;
let application: FriendhookApp;
let server: Server;
let url: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "friendhook-reliability-outage-"));
  const configuration = parseConfiguration({ ...providerVariables(), FRIENDHOOK_SINKS: "memory", FRIENDHOOK_DATA_DIR: directory, NODE_ENV: "test" }, directory);
  application = createApp(configuration, { logger: createLogger({ level: "silent", pretty: false }) });
  server = await listen(application.app, 0, "127.0.0.1");
  url = localUrlOf(server);
});

afterAll(async () => {
  if (server) await shutDown({ server, closeApp: application.close, logger: application.logger, graceMs: 5000 });
  rmSync(directory, { recursive: true, force: true });
});

const pairs = 24;
const callbacksPerPair = 40;

describe("sink outage", () => {
  it("delivers everything after the sink comes back, in per-pair order, with no dead letters", async () => {
    const sink = application.sinks[0] as MemorySink;
    expect(sink.name).toBe("memory");
    const plans = await planPairTraffic({ pairs, callbacksPerPair, runId: String(Date.now()) });

    let acknowledged = 0;
    let outageStartedAt = 0;
    let outageEndedAt = 0;
    // The sink fails from the 100th acknowledged callback to the 700th (most of the load), and for
    // three seconds at least, so that retries back off more than once.
    const outage = (async () => {
      await waitFor("100 acknowledged callbacks", () => (acknowledged >= 100 ? true : undefined), 60_000, 5);
      sink.failWith(new Error("sink outage: the downstream system is unavailable"));
      outageStartedAt = Date.now();
      await waitFor("700 acknowledged callbacks", () => (acknowledged >= 700 ? true : undefined), 60_000, 5);
      await sleep(Math.max(0, outageStartedAt + 3000 - Date.now()));
      sink.failWith(undefined);
      outageEndedAt = Date.now();
    })();
    const records = await sendLikeAProvider(plans, {
      concurrency: 6,
      target: () => url,
      afterAttempt: (record) => {
        if (record.acknowledged) acknowledged += 1;
      },
    });
    await outage;

    const stored = await readAllEvents(url);
    await waitFor(
      "every stored event to reach the sink",
      () => (new Set(sink.events.map((event) => event.id)).size >= stored.length ? true : undefined),
      45_000,
      100,
    );
    const deadLetters = await readAllDeadLetters(url);
    const metrics = await readMetrics(url);
    const failedBatches = metrics.get('friendhook_delivery_failures_total{sink="memory"}') ?? 0;
    const storedOrder = firstOrderPerPair(stored);
    const deliveredOrder = firstOrderPerPair(sink.events);
    const deliveredIds = new Set(sink.events.map((event) => event.id));
    const lost = stored.filter((event) => !deliveredIds.has(event.id)).length;

    recordFigures("sink-outage", "Sink outage under load", {
      ...summarize(records),
      eventsStored: stored.length,
      eventsDelivered: deliveredIds.size,
      lost,
      notes: {
        pairs,
        failedDeliveryBatches: failedBatches,
        deadLetters: deadLetters.length,
        outageMs: outageEndedAt - outageStartedAt,
        sink: "memory (in process)",
      },
    });

    expect(records.every((record) => record.acknowledged)).toBe(true);
    // The outage was real: deliveries failed while it lasted.
    expect(failedBatches).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(deadLetters).toEqual([]);
    expect(deliveredIds.size).toBe(stored.length);
    expect(storedOrder.size).toBe(pairs);
    for (const [pair, ids] of storedOrder) expect(deliveredOrder.get(pair), pair).toEqual(ids);
  });
});
