import type { FriendEventSink } from "@friendhook/core";
import type { ReceiverLogger } from "../receiver-logger";
import type { DeliveryAttemptedInfo } from "../receiver-observer";
import type { FriendEventStore } from "@friendhook/core";
import { describeDeliveryError, planDeliveryFailure, type RetrySchedule } from "./retry-schedule";

export interface SinkWorkerSettings extends RetrySchedule {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
}

export interface SinkWorkerContext {
  readonly store: FriendEventStore;
  readonly sink: FriendEventSink;
  readonly settings: SinkWorkerSettings;
  readonly logger: ReceiverLogger;
  readonly deliveryAttempted: (info: DeliveryAttemptedInfo) => void;
  readonly now: () => number;
}

/** One loop per sink: claim a batch of due deliveries, deliver it, record the outcome in the store. */
export interface SinkWorker {
  start(): void;
  /** New deliveries are due: stop waiting for the next poll. */
  wake(): void;
  /** Finishes the batch in hand, records its outcome, and stops. */
  stop(): Promise<void>;
}

type BatchOutcome = "delivered" | "failed" | "idle";

export function createSinkWorker(context: SinkWorkerContext): SinkWorker {
  const { store, sink, settings, logger, now } = context;
  let running: Promise<void> | undefined;
  let stopping = false;
  let woken = false;
  let interruptWait: (() => void) | undefined;

  const wait = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(finish, milliseconds);
      function finish() {
        clearTimeout(timer);
        interruptWait = undefined;
        woken = false;
        resolve();
      }
      interruptWait = finish;
    });

  async function deliverBatch(): Promise<BatchOutcome> {
    const deliveries = await store.claimDeliveries({
      sink: sink.name,
      limit: settings.batchSize,
      leaseMs: settings.leaseMs,
      now: now(),
    });
    if (deliveries.length === 0) return "idle";
    const startedAt = performance.now();
    try {
      const sequences = deliveries.map((delivery) => delivery.sequence);
      await sink.deliver(deliveries.map((delivery) => delivery.event), { sequences });
    } catch (error) {
      const attemptedAt = now();
      const failures = deliveries.map((delivery) => planDeliveryFailure(delivery, error, settings, attemptedAt));
      await store.failDeliveries({ failures, now: attemptedAt });
      const deadLettered = failures.filter((failure) => "deadLetter" in failure).length;
      const errorMessage = describeDeliveryError(error);
      logger.warn({ sink: sink.name, events: deliveries.length, deadLettered, error: errorMessage }, "delivery to a sink failed");
      context.deliveryAttempted({
        sink: sink.name,
        events: deliveries.length,
        succeeded: false,
        deadLettered,
        errorMessage,
        durationMs: performance.now() - startedAt,
      });
      return "failed";
    }
    await store.completeDeliveries({ deliveryIds: deliveries.map((delivery) => delivery.deliveryId) });
    logger.debug({ sink: sink.name, events: deliveries.length }, "delivered to a sink");
    context.deliveryAttempted({
      sink: sink.name,
      events: deliveries.length,
      succeeded: true,
      deadLettered: 0,
      durationMs: performance.now() - startedAt,
    });
    return "delivered";
  }

  async function run() {
    while (!stopping) {
      let outcome: BatchOutcome;
      try {
        outcome = await deliverBatch();
      } catch (error) {
        // The store itself failed; deliveries stay pending (or leased) and are tried again later.
        logger.error({ sink: sink.name, error: describeDeliveryError(error) }, "the store failed during delivery");
        outcome = "failed";
      }
      // After a failure, wait: the failed pairs are held back anyway, and a broken sink is not hammered.
      if (outcome !== "delivered") await wait(settings.pollIntervalMs);
    }
  }

  return {
    start() {
      running ??= run();
    },
    wake() {
      woken = true;
      interruptWait?.();
    },
    async stop() {
      stopping = true;
      interruptWait?.();
      await running;
    },
  };
}
