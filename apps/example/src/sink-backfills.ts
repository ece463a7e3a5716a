import { randomUUID } from "node:crypto";
import type { Backfill, FriendEventStore } from "@friendhook/core";
import type { Receiver } from "@friendhook/receiver";
import type { Logger } from "pino";
import { type SinkSpecification, sinkNameOf } from "./config/sink-specification";

/** Stored events looked at per store call: each call is one short transaction between appends. */
export const backfillBatchSize = 1000;
/** The wait before a batch the store failed (shutting down, a connection lost) is tried again. */
const retryDelayMs = 1000;

/**
 * Stored events delivered again to one sink: the `from=` of a sink's entry, begun once, and the
 * ranges an operator replays. The store keeps each backfill's range and progress, so a restart
 * resumes one left unfinished and never begins one twice; meanwhile the sink's deliveries wait,
 * and then go in the events' order.
 */
export interface SinkBackfills {
  /**
   * Records the backfill of every sink with a `from=` (once per sink name and start: the same start
   * begun again is the recorded one) and enqueues, in the background, what any configured sink has
   * unfinished. Resolves once they are recorded.
   */
  begin(): Promise<void>;
  /** Records a replay of the stored events from `fromSequence` to `toSequence` to one sink and enqueues it in the background. */
  replay(input: { readonly sink: string; readonly fromSequence: number; readonly toSequence: number }): Promise<Backfill>;
  /** Stops enqueueing after the batch in hand; what is left resumes at the next start. */
  stop(): Promise<void>;
}

export interface SinkBackfillsContext {
  readonly store: FriendEventStore;
  readonly receiver: Pick<Receiver, "wakeDelivery">;
  readonly sinks: readonly SinkSpecification[];
  readonly logger: Logger;
}

/** The backfill a sink's `from=` asks for, named after it: another start is another backfill. */
export function configuredBackfillName(from: "earliest" | number): string {
  return `from=${from}`;
}

export function createSinkBackfills({ store, receiver, sinks, logger }: SinkBackfillsContext): SinkBackfills {
  const running = new Map<string, Promise<void>>();
  let stopping = false;
  /** The pauses before retries under way, each ended early by a stop. */
  const pauses = new Set<() => void>();

  const pause = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      function finish() {
        clearTimeout(timer);
        pauses.delete(finish);
        resolve();
      }
      pauses.add(finish);
    });

  async function enqueue(sink: string): Promise<void> {
    let enqueued = 0;
    while (!stopping) {
      try {
        const progress = await store.continueBackfill({ sink, limit: backfillBatchSize });
        enqueued += progress.enqueued;
        if (progress.finished) {
          if (enqueued > 0) logger.info({ sink, enqueued }, "backfill enqueued: the sink's deliveries go on");
          // Its claims waited while the backfill was enqueued: look now rather than at the next poll.
          receiver.wakeDelivery();
          return;
        }
      } catch (error) {
        logger.warn({ sink, error: error instanceof Error ? error.message : String(error) }, "a backfill batch failed; it is tried again");
        await pause(retryDelayMs);
      }
    }
  }

  /** One loop per sink at a time: a second request finds the first still enqueueing, which takes its backfill too. */
  function enqueueInBackground(sink: string): void {
    if (stopping || running.has(sink)) return;
    const loop = enqueue(sink).finally(() => {
      running.delete(sink);
    });
    running.set(sink, loop);
  }

  /**
   * A loop that is finishing may have read "nothing left" just before a replay was recorded:
   * after it ends, look once more.
   */
  function enqueueAfterRecorded(sink: string): void {
    const current = running.get(sink);
    if (current) void current.then(() => enqueueInBackground(sink));
    else enqueueInBackground(sink);
  }

  return {
    async begin() {
      for (const sink of sinks) {
        if (sink.from === undefined) continue;
        const name = sinkNameOf(sink);
        const backfill = await store.beginBackfill({
          sink: name,
          name: configuredBackfillName(sink.from),
          ...(sink.from !== "earliest" && { fromSequence: sink.from }),
        });
        logger.info({ ...backfill }, backfill.nextSequence === undefined ? "backfill already done" : "backfill begun or resumed");
      }
      for (const sink of sinks) enqueueInBackground(sinkNameOf(sink));
    },

    async replay({ sink, fromSequence, toSequence }) {
      const backfill = await store.beginBackfill({ sink, name: `replay ${fromSequence}-${toSequence} ${randomUUID()}`, fromSequence, toSequence });
      logger.info({ sink, fromSequence: backfill.fromSequence, toSequence: backfill.toSequence }, "replay of stored events begun");
      enqueueAfterRecorded(sink);
      return backfill;
    },

    async stop() {
      stopping = true;
      for (const finish of [...pauses]) finish();
      await Promise.allSettled([...running.values()]);
    },
  };
}
