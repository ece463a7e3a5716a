import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { buildEasemobCallback } from "@friendhook/easemob";
import { describeWithService, startTcpProxy, type TcpProxy } from "@friendhook/testkit";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createClient } from "redis";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";
import { startWebhookRecorder, webhookSecret } from "./support/webhook-recorder";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const { easemobSecret, easemobAppKey } = testCredentials;

let app: RunningApp | undefined;
/** Run after the app has stopped, last registered first: servers, proxies, test data. */
let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A signed Easemob friend request from `user-N` to bob: one event each, its id unique to the run. */
function friendRequest(run: string, index: number) {
  return buildEasemobCallback({
    secret: easemobSecret,
    appKey: easemobAppKey,
    operation: "add",
    from: `${easemobAppKey}_user-${index}@easemob.com`,
    to: "bob",
    messageId: `outage-${run}-${index}`,
    timestamp: Date.now() - 60_000 + index,
  });
}

async function metricsText(url: string): Promise<string> {
  return (await request(`${url}/metrics`)).body as string;
}

/** The value of a metric line such as `friendhook_delivery_failures_total{sink="http"} 3`, 0 when absent. */
function metricValue(text: string, line: string): number {
  const match = new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

/** A sink whose server the test can take away and bring back. */
interface SinkServer {
  /** `FRIENDHOOK_SINKS` and whatever else the sink needs. */
  readonly variables: Record<string, string>;
  /** The sink's name, as the metrics label it. */
  readonly sinkName: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function sendAll(url: string, callbacks: ReturnType<typeof friendRequest>[], pauseMs = 0): Promise<void> {
  for (const callback of callbacks) {
    expect((await sendCallback(url, "easemob", callback)).status).toBe(200);
    if (pauseMs > 0) await sleep(pauseMs);
  }
}

/**
 * Starts the app with the sink and sends 60 callbacks: the first third while the server is up,
 * the second over a couple of seconds while it is down, the last once it is back. Waits until no
 * delivery is pending, checks that none was dead-lettered and that some failed during the outage,
 * and answers the ids of the stored events.
 */
async function deliverAcrossOutage(server: SinkServer): Promise<string[]> {
  app = await startApp(
    { EASEMOB_SECRET: easemobSecret, EASEMOB_APPKEY: easemobAppKey, ...server.variables },
    // Small batches and short backoffs, so that the outage falls in the middle of the stream and
    // the retries come soon after it; attempts enough that nothing is dead-lettered meanwhile.
    { batchSize: 3, initialBackoffMs: 20, maximumBackoffMs: 200, maximumAttempts: 1000, pollIntervalMs: 20 },
  );
  const url = app.url;
  const metric = (name: string) => async () => metricValue(await metricsText(url), `${name}{sink="${server.sinkName}"}`);
  const delivered = metric("friendhook_delivered_events_total");
  const failures = metric("friendhook_delivery_failures_total");
  const run = randomBytes(4).toString("hex");
  const sent = Array.from({ length: 60 }, (_, index) => friendRequest(run, index));

  await sendAll(url, sent.slice(0, 20));
  await waitFor(async () => ((await delivered()) >= 5 ? true : undefined), "the first deliveries");

  // The server goes away, cutting what is in flight; the stream goes on meanwhile.
  const failuresBefore = await failures();
  await server.stop();
  await sendAll(url, sent.slice(20, 40), 100);
  // Without a failure the outage went unnoticed, and the test would prove nothing. A publish in
  // flight when the server went away may still wait for its acknowledgement's timeout (10 s).
  await waitFor(
    async () => ((await failures()) > failuresBefore ? true : undefined),
    "deliveries to fail while the server is down",
    30_000,
  );

  await server.start();
  await sendAll(url, sent.slice(40));

  const readApi = app.application.readApi;
  await waitFor(
    async () => ((await readApi.deliveryCounts()).every((count) => count.pending === 0) ? true : undefined),
    "every delivery to be done",
    30_000,
  );
  expect((await request(`${url}/api/dead-letters`)).body.deadLetters).toEqual([]);
  const stored = ((await request(`${url}/api/events?limit=1000`)).body.events as Array<{ id: string }>).map((event) => event.id);
  expect(stored).toHaveLength(60);
  return stored;
}

/** A proxy in front of the server at `serviceUrl`, and that URL with the proxy's address in its place. */
async function proxied(serviceUrl: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> {
  const url = new URL(serviceUrl);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || defaultPort) });
  cleanups.push(() => proxy.close());
  url.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: url.toString() };
}

function sinkServerBehind(proxy: TcpProxy, sinkName: string, sinks: string): SinkServer {
  return { variables: { FRIENDHOOK_SINKS: sinks }, sinkName, stop: () => proxy.stop(), start: () => proxy.start() };
}

/** Ascending, so that two lists of ids compare as multisets: a repeat shows. */
function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

describe("an HTTP sink whose server stops and starts again during delivery", () => {
  it("loses nothing: every stored event arrives once the server is back", async () => {
    const recorder = await startWebhookRecorder();
    cleanups.push(() => recorder.stop());
    const stored = await deliverAcrossOutage({
      variables: { FRIENDHOOK_SINKS: recorder.url, FRIENDHOOK_HTTP_SINK_SECRET: webhookSecret },
      sinkName: "http",
      stop: () => recorder.stop(),
      start: () => recorder.restart(),
    });
    // At least once: an event cut in flight may arrive twice, but the set of ids is exactly the stored one.
    expect(new Set(recorder.arrivals)).toEqual(new Set(stored));
    expect(recorder.refused).toBe(0);
  });
});

describeWithService("a Redis sink whose server goes away and comes back during delivery", 6379, () => {
  it("loses nothing: every stored event is in the stream once", async () => {
    const key = `friendhook-example-test:outage:${randomBytes(6).toString("hex")}`;
    const reader = createClient({ url: redisUrl });
    await reader.connect();
    cleanups.push(async () => {
      for await (const keys of reader.scanIterator({ MATCH: `${key}*`, COUNT: 100 })) {
        if (keys.length > 0) await reader.del(keys);
      }
      await reader.quit();
    });
    const { proxy, url } = await proxied(redisUrl, 6379);

    const stored = await deliverAcrossOutage(sinkServerBehind(proxy, "redis", `${url}?key=${key}`));
    const entries = (await reader.xRange(key, "-", "+")) ?? [];
    expect(sorted(entries.map((entry) => entry.message.id!))).toEqual(sorted(stored));
  });
});

describeWithService("a NATS JetStream sink whose server goes away and comes back during delivery", 4222, () => {
  it("loses nothing: every stored event is in the stream once", async () => {
    const token = `friendhook-example-test-outage-${randomBytes(6).toString("hex")}`;
    const stream = token.replace(/-/g, "_").toUpperCase();
    const connection = await connect({ servers: natsUrl });
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name: stream, subjects: [`${token}.>`] });
    cleanups.push(async () => {
      await manager.streams.delete(stream).catch(() => undefined);
      await connection.drain();
    });
    const { proxy, url } = await proxied(natsUrl, 4222);

    const stored = await deliverAcrossOutage(sinkServerBehind(proxy, "nats", `${url}?subject=${token}.{provider}.{type}`));
    const { messages } = (await manager.streams.info(stream)).state;
    const sequences = Array.from({ length: messages }, (_, index) => index + 1);
    const published = await Promise.all(
      sequences.map(async (sequence) => (await manager.streams.getMessage(stream, { seq: sequence }))?.json<{ id: string }>().id ?? ""),
    );
    expect(sorted(published)).toEqual(sorted(stored));
  });
});

describeWithService("a PostgreSQL sink whose server goes away and comes back during delivery", 5432, () => {
  it("loses nothing: every stored event is in its table once", async () => {
    const schema = `friendhook_outage_${randomBytes(6).toString("hex")}`;
    const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    cleanups.push(async () => {
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.end();
    });
    const { proxy, url } = await proxied(databaseUrl, 5432);

    const stored = await deliverAcrossOutage(sinkServerBehind(proxy, "postgres", `${url}?schema=${schema}&tablePrefix=sink_`));
    const rows = await database.query<{ id: string }>(`SELECT id FROM "${schema}".sink_events`);
    expect(sorted(rows.rows.map((row) => row.id))).toEqual(sorted(stored));
  });
});
