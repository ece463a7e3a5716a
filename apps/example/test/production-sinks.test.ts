import { randomBytes } from "node:crypto";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { describeWithService } from "@friendhook/testkit";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createClient } from "redis";
import { afterEach, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** Starts the app with `sinks`, sends three Easemob requests and a Tencent block, and waits until all four are delivered. */
async function deliverFourEvents(sinks: string): Promise<string[]> {
  app = await startApp({ ...bothProviders, FRIENDHOOK_SINKS: sinks }, { pollIntervalMs: 20 });
  const run = randomBytes(4).toString("hex");
  for (const index of [1, 2, 3]) {
    const callback = buildEasemobCallback({
      secret: easemobSecret,
      appKey: easemobAppKey,
      operation: "add",
      from: `${easemobAppKey}_alice@easemob.com`,
      to: `friend-${index}`,
      messageId: `${run}-${index}`,
    });
    expect((await sendCallback(app.url, "easemob", callback)).status).toBe(200);
  }
  const block = buildTencentCallback({
    sdkAppId: tencentSdkAppId,
    command: "Sns.CallbackBlackListAdd",
    token: tencentToken,
    body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "alice", To_Account: "dave" }], RequestId: run },
  });
  expect((await sendCallback(app.url, "tencent", block)).status).toBe(200);

  const readApi = app.application.readApi;
  await waitFor(async () => ((await readApi.deliveryCounts()).every((count) => count.pending === 0) ? true : undefined), "the deliveries");
  expect(await readApi.deliveryCounts()).toEqual([]);
  return ((await request(`${app.url}/api/events`)).body.events as Array<{ id: string }>).map((event) => event.id);
}

describeWithService("a PostgreSQL sink named by its URL", 5432, () => {
  it("stores every event once and keeps the friend table, in its own schema and prefix", async () => {
    const schema = `friendhook_sink_${randomBytes(6).toString("hex")}`;
    const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const ids = await deliverFourEvents(`console,${databaseUrl}?schema=${schema}&tablePrefix=sink_`);
      const rows = await database.query<{ id: string }>(`SELECT id FROM "${schema}".sink_events ORDER BY sequence`);
      expect(rows.rows.map((row) => row.id)).toEqual(ids);
      const blocked = await database.query(
        `SELECT owner_id, other_id FROM "${schema}".sink_friend_edges WHERE relation = 'blocked' AND active`,
      );
      expect(blocked.rows).toEqual([{ owner_id: "alice", other_id: "dave" }]);
    } finally {
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.end();
    }
  });
});

describeWithService("two Redis sinks, named apart", 6379, () => {
  it("appends every event to the stream of each, once", async () => {
    const prefix = `friendhook-example-test:${randomBytes(6).toString("hex")}`;
    const reader = createClient({ url: redisUrl });
    await reader.connect();
    try {
      const ids = await deliverFourEvents(
        [`primary=${redisUrl}?key=${prefix}:primary:{provider}`, `copy=${redisUrl}?key=${prefix}:copy:{provider}`].join(","),
      );
      for (const copy of ["primary", "copy"]) {
        const entries = [
          ...((await reader.xRange(`${prefix}:${copy}:easemob`, "-", "+")) ?? []),
          ...((await reader.xRange(`${prefix}:${copy}:tencent`, "-", "+")) ?? []),
        ];
        expect(entries.map((entry) => entry.message.id)).toEqual(ids);
      }
      // The store shows a delivery done once its transaction commits; the worker counts it once that
      // transaction is on the disk, a moment later.
      const delivered = ['friendhook_delivered_events_total{sink="primary"} 4', 'friendhook_delivered_events_total{sink="copy"} 4'];
      await waitFor(async () => {
        const metrics = (await request(`${app!.url}/metrics`)).body as string;
        return delivered.every((line) => metrics.includes(line)) ? true : undefined;
      }, "both sinks' delivered events in the metrics");
    } finally {
      for await (const keys of reader.scanIterator({ MATCH: `${prefix}:*`, COUNT: 100 })) {
        if (keys.length > 0) await reader.del(keys);
      }
      await reader.quit();
    }
  });
});

describeWithService("a NATS JetStream sink with its subject in the URL", 4222, () => {
  it("publishes every event on the configured subject, once", async () => {
    const token = `friendhook-example-test-${randomBytes(6).toString("hex")}`;
    const stream = token.replace(/-/g, "_").toUpperCase();
    const connection = await connect({ servers: natsUrl });
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name: stream, subjects: [`${token}.>`] });
    try {
      const ids = await deliverFourEvents(`${natsUrl}?subject=${token}.{provider}.{type}`);
      const info = await manager.streams.info(stream, { subjects_filter: ">" });
      expect(info.state.messages).toBe(4);
      expect(info.state.subjects).toEqual({
        [`${token}.easemob.friend.request.sent`]: 3,
        [`${token}.tencent.friend.blocked`]: 1,
      });
      const stored = await Promise.all([1, 2, 3, 4].map(async (sequence) => (await manager.streams.getMessage(stream, { seq: sequence }))?.json<{ id: string }>().id));
      expect(stored).toEqual(ids);
    } finally {
      await manager.streams.delete(stream).catch(() => undefined);
      await connection.drain();
    }
  });
});
