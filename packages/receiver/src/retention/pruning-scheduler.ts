import type { FriendEventStore, PruneInput, PruneResult } from "@friendhook/core";
import type { ReceiverLogger } from "../receiver-logger";
import type { PruneRoundInfo } from "../receiver-observer";
import type { ResolvedRetentionOptions } from "./retention-options";

export interface PruningScheduler {
  start(): void;
  /** Finishes the round in hand, and stops. */
  stop(): Promise<void>;
}

export interface PruningSchedulerInput {
  readonly store: FriendEventStore;
  readonly retention: ResolvedRetentionOptions;
  /**
   * How long an event id must stay known to the store (the receiver's deduplication window): events
   * are kept at least this long, whatever `retention.eventsMs` says.
   */
  readonly deduplicationWindowMs: number;
  readonly logger: ReceiverLogger;
  readonly now: () => number;
  readonly pruned: (info: PruneRoundInfo) => void;
}

/** What one round may remove at `now`; see `PruneInput`. */
export function pruneCutoffs(now: number, retention: ResolvedRetentionOptions, deduplicationWindowMs: number): PruneInput {
  const keptFor = Math.max(retention.eventsMs, deduplicationWindowMs);
  return {
    eventsReceivedBefore: now - keptFor,
    deadLettersBefore: now - retention.deadLettersMs,
    callbacksReceivedBefore: now - keptFor,
    // A tombstone decides only about a change whose ordering window ends at or before its
    // `notBefore`; a change whose time lies within the last `keptFor` ends after this cutoff.
    tombstonesBefore: now - keptFor,
    // A decision is kept as long as the callback it answered.
    decisionsBefore: now - keptFor,
    batchSize: retention.batchSize,
  };
}

const removedIn = (result: PruneResult) => result.events + result.deadLetters + result.callbacks + result.tombstones + result.decisions;
const isFull = (result: PruneResult, batchSize: number) =>
  Math.max(result.events, result.deadLetters, result.callbacks, result.tombstones, result.decisions) >= batchSize;

/**
 * Prunes the store in the background: a small batch per round, a pause between rounds while there
 * is more to remove, then a longer wait. One round at a time; a failed round is logged and tried
 * again at the next interval. Its timers do not keep the process alive.
 */
export function createPruningScheduler(input: PruningSchedulerInput): PruningScheduler {
  const { store, retention, logger } = input;
  let running: Promise<void> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;

  const wait = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      timer.unref?.();
      function finish() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = finish;
    });

  async function round(): Promise<number> {
    const startedAt = performance.now();
    try {
      const result = await store.prune(pruneCutoffs(input.now(), retention, input.deduplicationWindowMs));
      if (removedIn(result) > 0) input.pruned({ ...result, durationMs: performance.now() - startedAt });
      return isFull(result, retention.batchSize) ? retention.pauseMs : retention.intervalMs;
    } catch (error) {
      logger.warn({ error: String(error) }, "pruning failed; trying again later");
      return retention.intervalMs;
    }
  }

  async function loop() {
    while (!stopping) {
      const pause = await round();
      if (stopping) return;
      await wait(pause);
    }
  }

  return {
    start() {
      running ??= loop();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await running;
    },
  };
}
