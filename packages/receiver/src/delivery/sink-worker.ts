import type { Delivery, FriendEventSink, FriendEventStore } from "@friendhook/core";
import type { ReceiverLogger } from "../receiver-logger";
import type { DeliveryAttemptedInfo } from "../receiver-observer";
import { splitIntoLanes } from "./delivery-lanes";
import { type DeliveryRoundResult, type DeliveryRoundSettings, deliverRound, type HeldDelivery, type RoundHalt } from "./delivery-round";
import { describeDeliveryError } from "./retry-schedule";

export interface SinkWorkerSettings extends DeliveryRoundSettings {
  readonly pollIntervalMs: number;
  /** `deliver` calls in flight at once, each with user pairs of its own. */
  readonly batchesInFlight: number;
}

export interface SinkWorkerContext {
  readonly store: FriendEventStore;
  readonly sink: FriendEventSink;
  readonly settings: SinkWorkerSettings;
  readonly logger: ReceiverLogger;
  readonly deliveryAttempted: (info: DeliveryAttemptedInfo) => void;
  readonly now: () => number;
}

/**
 * One loop per sink: claim due deliveries (up to `batchesInFlight` batches), deliver them in lanes
 * side by side, each user pair in one lane, record the outcome in the store.
 */
export interface SinkWorker {
  start(): void;
  /** New deliveries are due: stop waiting for the next poll. */
  wake(): void;
  /** Finishes the batch in hand (and one claimed ahead), records its outcome, and stops. */
  stop(): Promise<void>;
}

type BatchOutcome = "delivered" | "failed" | "idle";

/** A claim submitted to the store, and the time its lease is counted from. */
interface Claim {
  readonly claimedAt: number;
  readonly deliveries: Promise<Delivery[]>;
}

export function createSinkWorker(context: SinkWorkerContext): SinkWorker {
  const { store, sink, settings, logger, now } = context;
  let running: Promise<void> | undefined;
  let stopping = false;
  let woken = false;
  let interruptWait: (() => void) | undefined;
  // Deliveries this worker still leases, waiting for an earlier delivery of their pair to succeed.
  let held: readonly HeldDelivery[] = [];
  // The next claim, submitted with the last round's bookkeeping: delivered before the worker stops.
  let claimedAhead: Claim | undefined;

  const claim = (): Claim => {
    const claimedAt = now();
    const deliveries = store.claimDeliveries({
      sink: sink.name,
      limit: settings.batchSize * settings.batchesInFlight,
      leaseMs: settings.leaseMs,
      now: claimedAt,
    });
    // Awaited by the next round; a failure meanwhile must not count as unhandled.
    deliveries.catch(() => undefined);
    return { claimedAt, deliveries };
  };

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
    const { claimedAt, deliveries: claimed } = claimedAhead ?? claim();
    claimedAhead = undefined;
    const deliveries = await claimed;
    if (deliveries.length === 0) return "idle";
    const leasedUntil = claimedAt + settings.leaseMs;
    // As many lanes as there are batches in hand: what fits one batch goes in one call, as before.
    const laneCount = Math.min(settings.batchesInFlight, Math.ceil((deliveries.length + held.length) / settings.batchSize));
    const lanes = splitIntoLanes(
      deliveries.map((delivery) => ({ delivery, leasedUntil })),
      held,
      laneCount,
    );
    const halt: RoundHalt = { halted: false };
    const round = mergeRounds(await Promise.all(lanes.map((lane) => deliverRound({ sink, settings, now, ...lane, halt }))));
    held = round.held;
    const outcome: BatchOutcome = round.stoppedBy !== undefined || round.delivered.length === 0 ? "failed" : "delivered";
    // Submitted together, and after a round that went well with the next claim, so that a store
    // with group commit writes them in one transaction; the claim comes last and sees the rest.
    const bookkeeping = Promise.all([
      round.delivered.length > 0 ? store.completeDeliveries({ deliveryIds: round.delivered }) : undefined,
      round.failures.length > 0 ? store.failDeliveries({ failures: round.failures, now: now() }) : undefined,
    ]);
    if (outcome === "delivered" && !stopping) claimedAhead = claim();
    await bookkeeping;

    for (const call of round.calls) {
      context.deliveryAttempted({
        sink: sink.name,
        events: call.events,
        succeeded: call.delivered === call.events,
        delivered: call.delivered,
        deadLettered: call.deadLettered,
        ...(call.error === undefined ? {} : { errorMessage: describeDeliveryError(call.error) }),
        durationMs: call.durationMs,
      });
    }
    const firstError = round.calls.find((call) => call.error !== undefined)?.error;
    const summary = {
      sink: sink.name,
      events: deliveries.length,
      delivered: round.delivered.length,
      calls: round.calls.length,
    };
    if (firstError === undefined) {
      logger.debug(summary, "delivered to a sink");
    } else {
      const deadLettered = round.failures.filter((failure) => "deadLetter" in failure).length;
      logger.warn(
        { ...summary, failed: round.failures.length, deadLettered, heldBack: round.held.length, error: describeDeliveryError(firstError) },
        "delivery to a sink failed",
      );
    }
    return outcome;
  }

  async function run() {
    while (!stopping || claimedAhead) {
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

/** The lanes' results as one round's. */
function mergeRounds(rounds: readonly DeliveryRoundResult[]): DeliveryRoundResult {
  const stoppedBy = rounds.find((round) => round.stoppedBy !== undefined)?.stoppedBy;
  return {
    delivered: rounds.flatMap((round) => round.delivered),
    failures: rounds.flatMap((round) => round.failures),
    held: rounds.flatMap((round) => round.held),
    calls: rounds.flatMap((round) => round.calls),
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
  };
}
