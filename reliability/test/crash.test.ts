import { afterAll, describe, expect, it } from "vitest";
import {
  type AppProcess,
  createAppDeployment,
  createSeededRandom,
  deliveredEventIds,
  killRunningAppProcesses,
  pendingDeliveries,
  planMixedTraffic,
  providerVariables,
  readAllEvents,
  recordFigures,
  seedFromEnvironment,
  sendLikeAProvider,
  summarize,
  waitFor,
} from "../src/index";

afterAll(killRunningAppProcesses);

const callbackCount = 1200;
const senders = 6;
/** The process is killed once this many callbacks are acknowledged, then started again. */
const killThresholds = [200, 500, 800];

describe("crash: kill -9 in the middle of a flood of callbacks", () => {
  it("loses no acknowledged callback, stores and delivers each event once by id, and stores nothing forged (SQLite)", async () => {
    const seed = seedFromEnvironment();
    console.info(`[crash] seed ${seed}; FRIENDHOOK_SEED=${seed} replays this traffic`);
    const plans = await planMixedTraffic({ count: callbackCount, forgedShare: 0.1, random: createSeededRandom(seed), runId: String(seed) });
    const deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
    try {
      await deployment.start();
      let acknowledged = 0;
      const chaos = (async () => {
        for (const threshold of killThresholds) {
          await waitFor(`${threshold} acknowledged callbacks`, () => (acknowledged >= threshold ? true : undefined), 60_000, 5);
          await deployment.current().killHard();
          await deployment.start();
        }
      })();
      const records = await sendLikeAProvider(plans, {
        concurrency: senders,
        target: () => {
          const life = deployment.current();
          return life.hasExited() ? undefined : life.url;
        },
        afterAttempt: (record) => {
          if (record.acknowledged) acknowledged += 1;
        },
      });
      await chaos;

      const final: AppProcess = deployment.current();
      const acknowledgedIds = new Set(records.filter((record) => record.acknowledged).flatMap((record) => record.plan.eventIds));
      const forgedIds = new Set(records.filter((record) => !record.plan.genuine).flatMap((record) => record.plan.eventIds));
      await waitFor("the sink to catch up", async () => ((await pendingDeliveries(final.url, "console")) === 0 ? true : undefined), 45_000, 200);
      const stored = await readAllEvents(final.url);
      await final.stop();

      const storedIds = new Set(stored.map((event) => event.id));
      const deliveredPerLife = deployment.lives.map((life) => deliveredEventIds(life.stdoutLines));
      const delivered = deliveredPerLife.flat();
      const deliveredIds = new Set(delivered);
      const lost = [...acknowledgedIds].filter((id) => !storedIds.has(id) || !deliveredIds.has(id));
      const forgedStored = [...forgedIds].filter((id) => storedIds.has(id));
      const totals = summarize(records);

      recordFigures("crash-sqlite", "Crash: kill -9 under load (SQLite)", {
        ...totals,
        eventsStored: storedIds.size,
        eventsDelivered: deliveredIds.size,
        duplicateDeliveries: delivered.length - deliveredIds.size,
        lost: lost.length,
        forgedStored: forgedStored.length,
        notes: { kills: killThresholds.length, senders, seed },
      });

      // The provider's view: every genuine callback was acknowledged in the end, every forged one refused.
      for (const record of records) {
        if (record.plan.genuine) expect(record.acknowledged, `${record.plan.key}: ${record.statuses.join(",")}`).toBe(true);
        else expect(record.statuses.every((status) => status === 401), `${record.plan.key}: ${record.statuses.join(",")}`).toBe(true);
      }
      expect(totals.serverErrorsSeen).toBe(0);
      expect(deployment.lives).toHaveLength(killThresholds.length + 1);
      // Each event stored once, nothing lost, nothing forged, nothing that was never sent.
      expect(stored).toHaveLength(storedIds.size);
      expect(lost).toEqual([]);
      expect(forgedStored).toEqual([]);
      expect([...storedIds].filter((id) => !acknowledgedIds.has(id))).toEqual([]);
      // The sink got every stored event, and nothing else.
      expect(deliveredIds).toEqual(storedIds);
      // No process delivered an event twice. Across processes an event may arrive again when the
      // process that delivered it was killed before it could record the delivery (at least once,
      // deduplicated by id downstream): that count is the duplicateDeliveries figure.
      for (const [index, ids] of deliveredPerLife.entries()) {
        expect(new Set(ids).size, `process ${index + 1} delivered an event twice`).toBe(ids.length);
      }
    } finally {
      await deployment.dispose();
    }
  });
});
