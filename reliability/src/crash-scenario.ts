import type { FriendEvent } from "@friendhook/core";
import { createAppDeployment } from "./app-deployment";
import { httpSinkVariables, reliabilityCredentials } from "./credentials";
import { type CallbackRecord, sendLikeAProvider } from "./load";
import { planMixedTraffic } from "./mixed-traffic";
import { pendingDeliveries, readAllEvents } from "./read-api";
import { createSeededRandom } from "./seeded-random";
import { waitFor } from "./wait-for";
import { startWebhookRecorder } from "./webhook-recorder";

export interface CrashScenarioOptions {
  /** The app's environment: providers, and the store to use. The HTTP sink is added. */
  readonly variables: Readonly<Record<string, string>>;
  readonly callbackCount: number;
  readonly senders: number;
  /** The process is stopped once this many callbacks are acknowledged, then started again. */
  readonly killThresholds: readonly number[];
  /** `kill`: SIGKILL, a crash. `terminate`: SIGTERM, the graceful shutdown of a deployment. */
  readonly stopWith?: "kill" | "terminate";
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
  /** The ids the HTTP sink delivered, per process life, in order. */
  readonly deliveredPerLife: readonly string[][];
  readonly lives: number;
  /** Deliveries whose Standard Webhooks signature did not verify. */
  readonly badSignatures: number;
  /** From the end of the load to the last pending delivery done: a figure, never asserted. */
  readonly catchUpMs: number;
  /** Polls of `/metrics` that showed no pending delivery while the sink still lacked events. */
  readonly pendingGaugeEmptyTooEarly: number;
  /** How each stopped process ended: its exit code, or the signal that ended it. */
  readonly exits: ReadonlyArray<number | string>;
  /** From the signal to the end of each stopped process: a figure, never asserted. */
  readonly stopDurationsMs: readonly number[];
  /** What each life of the app wrote, for messages. */
  readonly outputs: readonly string[];
}

/**
 * Several senders send mixed genuine and forged callbacks as fast as the app answers; at each
 * threshold the app is killed with SIGKILL (or stopped with SIGTERM) mid-stream and started again on
 * the same data. Senders retry what got no answer or a 5xx, as providers do. At the end the sink is
 * let catch up and the store read.
 */
export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const runId = `${options.seed}r${Date.now() % 100_000}`;
  const plans = await planMixedTraffic({
    count: options.callbackCount,
    forgedShare: 0.1,
    random: createSeededRandom(options.seed),
    runId,
  });
  // Deliveries are recorded in this process, by webhook-id, with the life of the app that sent them.
  let lives = 0;
  const recorder = await startWebhookRecorder(reliabilityCredentials.webhookSecret, () => lives - 1);
  const deployment = createAppDeployment({ ...options.variables, ...httpSinkVariables(recorder.url) });
  // A process delivers from its start-up on, before it says it listens, and a killed one delivers
  // nothing more: every webhook that arrives after a process ended comes from the next one.
  const start = async () => {
    lives = deployment.lives.length + 1;
    const life = await deployment.start();
    return life;
  };
  try {
    await start();
    let acknowledged = 0;
    const exits: Array<number | string> = [];
    const stopDurationsMs: number[] = [];
    const chaos = (async () => {
      for (const threshold of options.killThresholds) {
        await waitFor(`${threshold} acknowledged callbacks`, () => (acknowledged >= threshold ? true : undefined), 180_000, 5);
        const stoppingAt = Date.now();
        exits.push(options.stopWith === "terminate" ? await deployment.current().stop(30_000) : await deployment.current().killHard());
        stopDurationsMs.push(Date.now() - stoppingAt);
        await start();
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
    // A shared store (PostgreSQL) may hold other runs' events: only this run's users count.
    const ofThisRun = (event: Pick<FriendEvent, "actor" | "target">) =>
      [event.actor, event.target].some((user) => user.startsWith(`u${runId}x`) || user.startsWith(`u${runId}y`));
    const stored = (await readAllEvents(final.url)).filter(ofThisRun);
    // Deliveries a killed process had claimed stay leased until the lease runs out (30 s by
    // default). A delivery that never comes is the test's finding, not a reason to stop waiting
    // early: the wait ends when the sink has every stored event, or after a minute.
    const catchUpStartedAt = Date.now();
    const received = () => new Set(recorder.deliveries.map((delivery) => delivery.webhookId));
    // Meanwhile: does `/metrics` ever show no pending delivery while some have not arrived?
    let pendingGaugeEmptyTooEarly = 0;
    await waitFor("the sink to receive every stored event", async () => {
      const ids = received();
      const missing = stored.filter((event) => !ids.has(event.id)).length;
      if (missing === 0) return true;
      const pending = await pendingDeliveries(final.url, "http").catch(() => undefined);
      if (pending === 0 && stored.filter((event) => !received().has(event.id)).length > 0) pendingGaugeEmptyTooEarly += 1;
      return undefined;
    }, 300_000, 200).catch(() => undefined);
    const catchUpMs = Date.now() - catchUpStartedAt;
    await final.stop();
    const eventIdsOfRun = new Set(plans.flatMap((plan) => plan.eventIds));
    return {
      records,
      acknowledgedIds: new Set(records.filter((record) => record.acknowledged).flatMap((record) => record.plan.eventIds)),
      forgedIds: new Set(records.filter((record) => !record.plan.genuine).flatMap((record) => record.plan.eventIds)),
      stored,
      deliveredPerLife: deployment.lives.map((_, life) =>
        recorder.deliveries.filter((delivery) => delivery.life === life && eventIdsOfRun.has(delivery.webhookId)).map((delivery) => delivery.webhookId),
      ),
      badSignatures: recorder.badSignatures,
      lives: deployment.lives.length,
      catchUpMs,
      pendingGaugeEmptyTooEarly,
      exits,
      stopDurationsMs,
      outputs: deployment.lives.map((life) => life.output()),
    };
  } finally {
    await deployment.dispose();
    await recorder.close();
  }
}
