import { randomBytes } from "node:crypto";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { describeWithService } from "@friendhook/testkit";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";
import { type WebhookRecorder, startWebhookRecorder, webhookSecret } from "./support/webhook-recorder";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;

/** Thirty Easemob friend requests and ten Tencent blocks: one event each, forty in all. */
function callbacks() {
  const easemob = Array.from({ length: 30 }, (_, index) => ({
    provider: "easemob",
    request: buildEasemobCallback({
      secret: easemobSecret,
      appKey: easemobAppKey,
      operation: "add",
      from: `${easemobAppKey}_user-${index % 6}@easemob.com`,
      to: `friend-${index}`,
      messageId: `scale-out-${index}`,
      timestamp: Date.now() - 60_000 + index * 1000,
    }),
  }));
  const tencent = Array.from({ length: 10 }, (_, index) => ({
    provider: "tencent",
    request: buildTencentCallback({
      sdkAppId: tencentSdkAppId,
      command: "Sns.CallbackBlackListAdd",
      token: tencentToken,
      body: {
        CallbackCommand: "Sns.CallbackBlackListAdd",
        PairList: [{ From_Account: "alice", To_Account: `blocked-${index}` }],
        RequestId: `scale-out-${index}`,
      },
    }),
  }));
  return [...easemob, ...tencent];
}

function metricValue(text: string, line: string): number {
  const match = new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

describeWithService(
  "two app instances on one PostgreSQL store",
  5432,
  () => {
    // A schema of this run's own, dropped afterwards, so that runs and other tests never meet.
    const schema = `friendhook_scale_out_${randomBytes(6).toString("hex")}`;
    const database = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const instances: RunningApp[] = [];
    let recorder: WebhookRecorder;

    beforeAll(async () => {
      recorder = await startWebhookRecorder();
      const variables = {
        ...bothProviders,
        FRIENDHOOK_STORE: `${databaseUrl}?schema=${schema}`,
        // One sink name on both instances: they share its deliveries.
        FRIENDHOOK_SINKS: `forward=${recorder.url}`,
        FRIENDHOOK_HTTP_SINK_SECRET: webhookSecret,
      };
      // Leases far longer than this test: an event is handed out twice only when a lease expires.
      const delivery = { leaseMs: 600_000, pollIntervalMs: 20, batchSize: 5 };
      for (let started = 0; started < 2; started += 1) {
        const instance = await startApp(variables, delivery);
        instances.push(instance);
        await instance.application.ready();
      }
    });

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await recorder?.stop();
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.end();
    });

    it("stores each event once and delivers it once, with the same callbacks sent to both at once", async () => {
      const [first, second] = instances as [RunningApp, RunningApp];
      const sent = callbacks();
      const answers = await Promise.all(
        sent.flatMap(({ provider, request: callback }) => [sendCallback(first.url, provider, callback), sendCallback(second.url, provider, callback)]),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

      // Stored once: both instances read the same forty events, in the same order.
      const firstEvents = (await request(`${first.url}/api/events?limit=1000`)).body.events as Array<{ id: string }>;
      const secondEvents = (await request(`${second.url}/api/events?limit=1000`)).body.events as Array<{ id: string }>;
      expect(firstEvents).toHaveLength(40);
      expect(secondEvents).toEqual(firstEvents);
      const storedIds = firstEvents.map((event) => event.id);
      expect(new Set(storedIds).size).toBe(40);

      // And in the database itself: one row per event, one delivery per event for the shared sink.
      const events = await database.query<{ id: string }>(`SELECT id FROM "${schema}".friendhook_events ORDER BY sequence`);
      expect(events.rows.map((row) => row.id)).toEqual(storedIds);

      // Delivered once: wait until no delivery is pending; each was claimed by one instance only.
      await waitFor(async () => {
        const pending = await database.query<{ count: string }>(`SELECT count(*) FROM "${schema}".friendhook_deliveries WHERE state = 'pending'`);
        return pending.rows[0]?.count === "0" ? true : undefined;
      }, "every delivery to be done");
      expect([...recorder.arrivals].sort()).toEqual([...storedIds].sort());
      expect(recorder.refused).toBe(0);

      // What each instance delivered adds up to forty: none delivered an event the other did. (An
      // instance counts a batch just after recording it done in the store, hence the wait.)
      const deliveredByBoth = async () => {
        const texts = await Promise.all(instances.map(async (instance) => (await request(`${instance.url}/metrics`)).body as string));
        return texts.reduce((sum, text) => sum + metricValue(text, 'friendhook_delivered_events_total{sink="forward"}'), 0);
      };
      await waitFor(async () => ((await deliveredByBoth()) >= 40 ? true : undefined), "both instances to count their deliveries");
      expect(await deliveredByBoth()).toBe(40);

      // One friend table, whichever instance is asked.
      const friends = `/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice`;
      const blocked = Array.from({ length: 10 }, (_, index) => `blocked-${index}`).sort();
      expect((await request(`${first.url}${friends}`)).body).toEqual({ friends: [], blocked });
      expect((await request(`${second.url}${friends}`)).body).toEqual({ friends: [], blocked });
    });
  },
  { host: "127.0.0.1" },
);
