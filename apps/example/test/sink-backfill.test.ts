import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEasemobCallback } from "@friendhook/easemob";
import { describeWithService } from "@friendhook/testkit";
import { createClient } from "redis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const { easemobSecret, easemobAppKey } = testCredentials;
const apiToken = "backfill-test-token-3be0a1";
/** Generous: each wait is for what takes milliseconds on an idle machine. */
const waitMs = 60_000;

interface StoredEvent {
  readonly id: string;
  readonly actor: string;
  readonly target: string;
}

/** Where the app keeps its store across its restarts, and what removes it afterwards. */
interface StoreLocation {
  readonly variables: Record<string, string>;
  remove(): Promise<void>;
}

function sqliteStore(): StoreLocation {
  // One data directory across the app's restarts: the SQLite file keeps events, deliveries and backfills.
  const dataDirectory = mkdtempSync(join(tmpdir(), "friendhook-backfill-"));
  return {
    variables: { FRIENDHOOK_DATA_DIR: dataDirectory },
    remove: async () => rmSync(dataDirectory, { recursive: true, force: true }),
  };
}

function postgresStore(): StoreLocation {
  const schema = `friendhook_backfill_${randomBytes(6).toString("hex")}`;
  return {
    variables: { FRIENDHOOK_STORE: `${databaseUrl}?schema=${schema}` },
    async remove() {
      const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await database.end();
      }
    },
  };
}

describeWithService("a sink that starts from history, and a range replayed to one sink", 6379, () => {
  describe("on the SQLite store", () => defineFromHistory(sqliteStore()));
  describeWithService("on the PostgreSQL store", 5432, () => defineFromHistory(postgresStore()));
});

/** The tests, in order, against one store that lives across the app's restarts. */
function defineFromHistory(store: StoreLocation): void {
  const run = randomBytes(6).toString("hex");
  const prefix = `friendhook-backfill-test:${run}`;
  const reader = createClient({ url: redisUrl });
  const firstSink = `first=${redisUrl}?key=${prefix}:first`;
  const secondSink = `second=${redisUrl}?key=${prefix}:second&from=earliest`;
  let app: RunningApp | undefined;
  let sent = 0;

  const start = async (sinks: string) => {
    await app?.stop();
    app = await startApp(
      { ...bothProviders, ...store.variables, FRIENDHOOK_API_TOKEN: apiToken, FRIENDHOOK_SINKS: sinks },
      { pollIntervalMs: 20 },
    );
    // As `main` does before it listens: the backfills of `from=` are recorded before a callback is stored.
    await app.application.ready();
    return app;
  };
  const running = () => {
    if (!app) throw new Error("the app is not running");
    return app;
  };
  const api = (path: string, init: RequestInit = {}) =>
    request(`${running().url}${path}`, { ...init, headers: { authorization: `Bearer ${apiToken}`, ...init.headers } });
  const replay = (sink: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    api(`/api/sinks/${sink}/replay`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** One Easemob callback, one event: alice and bob block and unblock each other, alice adds others. */
  const sendOne = async () => {
    sent += 1;
    const pair = sent % 2 === 0;
    const callback = buildEasemobCallback({
      secret: easemobSecret,
      appKey: easemobAppKey,
      operation: pair ? (sent % 4 === 0 ? "allow" : "ban") : "add",
      from: `${easemobAppKey}_alice@easemob.com`,
      to: pair ? "bob" : `friend-${sent}`,
      messageId: `${run}-${sent}`,
    });
    expect((await sendCallback(running().url, "easemob", callback)).status).toBe(200);
  };
  const streamIds = async (sink: string) => ((await reader.xRange(`${prefix}:${sink}`, "-", "+")) ?? []).map((entry) => entry.message.id as string);
  const storedEvents = async (): Promise<StoredEvent[]> => (await api("/api/events?limit=1000")).body.events;
  /** Deliveries the store counted completed for the sink, over the last hour (they survive a restart). */
  const completed = async (sink: string): Promise<number> => {
    const overview = (await api("/api/delivery")).body as { activity: { delivered: Array<{ sink: string; seconds: Array<{ count: number }> }> } };
    return (overview.activity.delivered.find((entry) => entry.sink === sink)?.seconds ?? []).reduce((total, second) => total + second.count, 0);
  };
  const waitForStream = (sink: string, length: number) =>
    waitFor(async () => ((await streamIds(sink)).length === length ? true : undefined), `${length} entries in the stream of ${sink}`, waitMs);
  const waitForIdle = () =>
    waitFor(async () => ((await running().application.readApi.deliveryCounts()).length === 0 ? true : undefined), "every delivery done", waitMs);
  /** The ids of alice and bob's events, in the order given. */
  const pairOrder = (ids: readonly string[], events: readonly StoredEvent[]) => {
    const pairIds = new Set(events.filter((event) => event.target === "bob" || event.actor === "bob").map((event) => event.id));
    return ids.filter((id) => pairIds.has(id));
  };

  beforeAll(async () => {
    await reader.connect();
  });

  afterAll(async () => {
    await app?.stop();
    for await (const keys of reader.scanIterator({ MATCH: `${prefix}:*`, COUNT: 100 })) if (keys.length > 0) await reader.del(keys);
    await reader.quit();
    await store.remove();
  });

  it("delivers every stored event once to a sink added with from=earliest, in order per pair, and nothing twice to the first, across restarts", async () => {
    await start(firstSink);
    for (let index = 0; index < 8; index += 1) await sendOne();
    await waitForStream("first", 8);
    await waitForIdle();
    const stored = await storedEvents();
    expect(stored).toHaveLength(8);
    expect(pairOrder(stored.map((event) => event.id), stored)).toHaveLength(4);
    const first = await streamIds("first");

    await start(`${firstSink},${secondSink}`);
    await waitForStream("second", 8);
    await waitForIdle();
    const second = await streamIds("second");
    expect([...second].sort()).toEqual(stored.map((event) => event.id).sort());
    expect(pairOrder(second, stored)).toEqual(pairOrder(stored.map((event) => event.id), stored));
    expect(await streamIds("first")).toEqual(first);
    expect(await completed("first")).toBe(8);
    expect(await completed("second")).toBe(8);

    // A new event goes to both sinks once, after the backfill.
    await sendOne();
    await waitForStream("first", 9);
    await waitForStream("second", 9);
    await waitForIdle();

    // Started again with the same entry: the backfill is recorded as done and begins no more. Its
    // sink's deliveries would wait for one, so once a new event has reached it, none was begun.
    const restarted = await start(`${firstSink},${secondSink}`);
    await sendOne();
    await waitForStream("second", 10);
    await waitForStream("first", 10);
    await waitForIdle();
    expect(restarted.logLines.some((line) => line.includes('"backfill already done"') && line.includes('"sink":"second"'))).toBe(true);
    expect(await completed("first")).toBe(10);
    expect(await completed("second")).toBe(10);
    const all = await storedEvents();
    expect(await streamIds("second")).toHaveLength(new Set(await streamIds("second")).size);
    expect(pairOrder(await streamIds("second"), all)).toEqual(pairOrder(all.map((event) => event.id), all));
  });

  it("replays a range of stored events to one sink through the API: exactly that range, once more, in order per pair", async () => {
    const stored = await storedEvents();
    const afterSecond = Number((await api("/api/events?limit=2")).body.next);
    const fifth = Number((await api("/api/events?limit=5")).body.next);
    const range = stored.slice(2, 5);
    // The Redis sink keeps one entry per event id while its marker lives: the markers go, as they
    // would once expired, so that the stream shows what was delivered again.
    await reader.del(range.map((event) => `${prefix}:first:seen:${event.id}`));
    const before = await streamIds("first");

    const answer = await replay("first", { fromSequence: afterSecond + 1, toSequence: fifth });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ replay: { sink: "first", fromSequence: afterSecond + 1, toSequence: fifth } });
    await waitForStream("first", before.length + 3);
    await waitFor(async () => ((await completed("first")) === 13 ? true : undefined), "13 deliveries completed to first", waitMs);
    await waitForIdle();
    const again = (await streamIds("first")).slice(before.length);
    expect([...again].sort()).toEqual(range.map((event) => event.id).sort());
    expect(pairOrder(again, stored)).toEqual(pairOrder(range.map((event) => event.id), stored));
    // The other sink got nothing.
    expect(await streamIds("second")).toHaveLength(10);
    expect(await completed("second")).toBe(10);
  });

  it("refuses a bad range, an unknown sink, a body it does not know and a request without the token with 4xx, and replays nothing", async () => {
    const refusals = [
      [await replay("first", { fromSequence: 5, toSequence: 4 }), 400, "invalid_range"],
      [await replay("first", { fromSequence: -1, toSequence: 4 }), 400, "invalid_body"],
      [await replay("first", { fromSequence: 1.5, toSequence: 4 }), 400, "invalid_body"],
      [await replay("first", { fromSequence: 1 }), 400, "invalid_body"],
      [await replay("first", { from: 1, to: 4 }), 400, "invalid_body"],
      [await replay("first", { fromSequence: 1, toSequence: 4, sink: "second" }), 400, "invalid_body"],
      [await replay("first", "{not json"), 400, "bad_request"],
      [await replay("first", { fromSequence: 1, toSequence: 4 }, { "content-type": "text/plain" }), 415, "unsupported_media_type"],
      [await replay("nowhere", { fromSequence: 1, toSequence: 4 }), 404, "unknown_sink"],
    ] as const;
    for (const [answer, status, code] of refusals) {
      expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
    }
    const anonymous = await request(`${running().url}/api/sinks/first/replay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fromSequence: 1, toSequence: 4 }),
    });
    expect(anonymous.status).toBe(401);
    // Nothing was enqueued: a new event is the only one the sinks get next.
    await sendOne();
    await waitForStream("first", 14);
    await waitForStream("second", 11);
    await waitForIdle();
    expect(await completed("first")).toBe(14);
    expect(await completed("second")).toBe(11);
  });
}
