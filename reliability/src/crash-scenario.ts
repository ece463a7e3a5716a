import type { FriendEvent } from "@friendhook/core";
import { createAppDeployment } from "./app-deployment";
import { deliveredEventIds } from "./console-sink-output";
import { type CallbackRecord, sendLikeAProvider } from "./load";
import { planMixedTraffic } from "./mixed-traffic";
import { pendingDeliveries, readAllEvents } from "./read-api";
import { createSeededRandom } from "./seeded-random";
import { waitFor } from "./wait-for";

export interface CrashScenarioOptions {
  /** The app's environment: providers, and the store to use. The console sink is added. */
  readonly variables: Readonly<Record<string, string>>;
  readonly callbackCount: number;
  readonly senders: number;
  /** The process is killed with SIGKILL once this many callbacks are acknowledged, then started again. */
  readonly killThresholds: readonly number[];
  readonly seed: number;
}

export interface CrashScenarioResult {
  readonly records: readonly CallbackRecord[];
  /** Every event of every acknowledged callback. */
  readonly acknowledgedIds: ReadonlySet<string>;
  /** Every event the forged callbacks would have yielded. */
  readonly forgedIds: ReadonlySet<string>;
  /** The store's events at the end, in stored order. */
  readonly stored: readonly FriendEvent[];
  /** The ids the console sink printed, per process life, in order. */
  readonly deliveredPerLife: readonly string[][];
  readonly lives: number;
}

/**
 * Several senders send mixed genuine and forged callbacks as fast as the app answers; at each
 * threshold the app is killed with SIGKILL mid-stream and started again on the same data. Senders
 * retry what got no answer, as providers do. At the end the sink is let catch up and the store read.
 */
export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const runId = `${options.seed}r${Date.now() % 100_000}`;
  const plans = await planMixedTraffic({
    count: options.callbackCount,
    forgedShare: 0.1,
    random: createSeededRandom(options.seed),
    runId,
  });
  const deployment = createAppDeployment({ ...options.variables, FRIENDHOOK_SINKS: "console" });
  try {
    await deployment.start();
    let acknowledged = 0;
    const chaos = (async () => {
      for (const threshold of options.killThresholds) {
        await waitFor(`${threshold} acknowledged callbacks`, () => (acknowledged >= threshold ? true : undefined), 60_000, 5);
        await deployment.current().killHard();
        await deployment.start();
      }
    })();
    const records = await sendLikeAProvider(plans, {
      concurrency: options.senders,
      target: () => {
        const life = deployment.current();
        return life.hasExited() ? undefined : life.url;
      },
      afterAttempt: (record) => {
        if (record.acknowledged) acknowledged += 1;
      },
    });
    await chaos;

    const final = deployment.current();
    await waitFor("the sink to catch up", async () => ((await pendingDeliveries(final.url, "console")) === 0 ? true : undefined), 45_000, 200);
    // A shared store (PostgreSQL) may hold other runs' events: only this run's users count.
    const ofThisRun = (event: Pick<FriendEvent, "actor" | "target">) => [event.actor, event.target].some((user) => user.startsWith(`u${runId}x`) || user.startsWith(`u${runId}y`));
    const stored = (await readAllEvents(final.url)).filter(ofThisRun);
    await final.stop();
    const eventIdsOfRun = new Set(plans.flatMap((plan) => plan.eventIds));
    return {
      records,
      acknowledgedIds: new Set(records.filter((record) => record.acknowledged).flatMap((record) => record.plan.eventIds)),
      forgedIds: new Set(records.filter((record) => !record.plan.genuine).flatMap((record) => record.plan.eventIds)),
      stored,
      deliveredPerLife: deployment.lives.map((life) => deliveredEventIds(life.stdoutLines).filter((id) => eventIdsOfRun.has(id))),
      lives: deployment.lives.length,
    };
  } finally {
    await deployment.dispose();
  }
}
