import { brandErrorClass } from "./error-brand";
import type { FriendEvent } from "./friend-event";

/**
 * The sink contract. A sink receives batches of events in delivery order. Resolving `deliver`
 * means every event of the batch is stored. Throwing means something was not:
 *
 * - any error (a `SinkError`, or whatever a driver threw): the batch failed as a whole, and no
 *   event is known to be the cause. The receiver then delivers the batch again in smaller parts to
 *   find the events that fail, so a sink that stores all or nothing needs nothing more;
 * - a `SinkBatchError`: the sink says what became of each event (delivered, failed, not attempted).
 *
 * A batch that fails may have been partly stored, and is then delivered again: that is why a sink
 * says whether it keeps one copy per event id (`idempotent`).
 */
export interface FriendEventSink {
  /** A short name for logs and metrics, e.g. `postgres`, `console`. */
  readonly name: string;
  /** True when delivering an event whose id the sink already holds stores nothing new. */
  readonly idempotent: boolean;
  deliver(events: readonly FriendEvent[], context?: DeliveryContext): Promise<void>;
  /** Releases connections. Called once, after the last delivery. */
  close?(): Promise<void>;
}

/** What a receiver knows about a batch beyond its events. Absent when a sink is called directly. */
export interface DeliveryContext {
  /**
   * Each event's place in the store's arrival order, parallel to `events`: larger means stored
   * later. A sink that keeps a friend table orders changes its times cannot order by it.
   */
  readonly sequences: readonly number[];
}

export interface SinkErrorOptions {
  cause?: unknown;
  /** The sink's server asked to wait this long before the next attempt (HTTP `Retry-After`). */
  retryAfterMs?: number;
  /**
   * Retrying cannot help (HTTP 410 Gone, an event the destination refuses): the delivery goes to
   * the dead letters at once. The receiver honours it for one event only, so for a batch of several
   * it first delivers the events apart to find the one that cannot be stored.
   */
  permanent?: boolean;
}

/** A delivery failure with hints for the retry schedule. Sinks may also throw any other error. */
export class SinkError extends Error {
  override readonly name = "SinkError";
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;

  constructor(message: string, options: SinkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}

/** Recognized across copies of `@friendhook/core` by `instanceof` too (see `brandErrorClass`). */
export const isSinkError = brandErrorClass(SinkError, "friendhook.sink-error") as (value: unknown) => value is SinkError;

/**
 * What became of one event of a batch:
 * - `delivered`: stored;
 * - `failed`: attempted and not stored, because of `error` (a `SinkError` carries the hints
 *   `permanent` and `retryAfterMs`); the receiver counts an attempt against this event;
 * - `not-attempted`: not tried (the sink stopped, or an earlier event of the same user pair
 *   failed); no attempt is counted, and the receiver delivers it again.
 */
export type SinkEventOutcome =
  | { readonly status: "delivered" }
  | { readonly status: "failed"; readonly error: unknown }
  | { readonly status: "not-attempted" };

/**
 * Thrown by a sink that knows what became of each event of a batch it did not store in full.
 * `outcomes` is parallel to the batch's events. Once an event failed or was not attempted, no later
 * event of the same user pair (`deliveryOrderKey`) may be delivered in that call: report those
 * `not-attempted`. Events of other pairs may go on.
 */
export class SinkBatchError extends Error {
  override readonly name = "SinkBatchError";
  readonly outcomes: readonly SinkEventOutcome[];

  constructor(message: string, outcomes: readonly SinkEventOutcome[], options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.outcomes = outcomes;
  }

  /**
   * For a sink that sends events one after another and stops at the first failure: the events
   * before `index` were delivered, the one at `index` failed with `error`, the rest of the `count`
   * events were not attempted.
   */
  static stoppedAt(index: number, count: number, error: unknown): SinkBatchError {
    const outcomes = Array.from({ length: count }, (_, position): SinkEventOutcome => {
      if (position < index) return { status: "delivered" };
      return position === index ? { status: "failed", error } : { status: "not-attempted" };
    });
    const reason = error instanceof Error ? error.message : String(error);
    return new SinkBatchError(`${index} of ${count} events delivered; the next one failed: ${reason}`, outcomes, { cause: error });
  }
}

/** Recognized across copies of `@friendhook/core` by `instanceof` too (see `brandErrorClass`). */
export const isSinkBatchError = brandErrorClass(SinkBatchError, "friendhook.sink-batch-error") as (value: unknown) => value is SinkBatchError;

/** One `deliver` call as a receiver reads it. */
export interface SinkDeliveryReport {
  /** Parallel to the events handed to the sink. */
  readonly outcomes: readonly SinkEventOutcome[];
  /**
   * Set when the batch failed as a whole: the sink threw something other than a usable
   * `SinkBatchError`. Every outcome is then `failed` with this error, and no event is known to be
   * its cause.
   */
  readonly batchError?: unknown;
}

function isOutcome(value: unknown): value is SinkEventOutcome {
  const status = (value as { status?: unknown } | null | undefined)?.status;
  return status === "delivered" || status === "not-attempted" || (status === "failed" && "error" in (value as object));
}

/**
 * Calls `sink.deliver` and reads what happened to each event. Never throws. A `SinkBatchError`
 * that does not fit the batch (another length, an unknown status) or settles no event (every one
 * `not-attempted`) counts as a failure of the whole batch, so that a faulty sink cannot stall delivery.
 */
export async function deliverToSink(
  sink: FriendEventSink,
  events: readonly FriendEvent[],
  context?: DeliveryContext,
): Promise<SinkDeliveryReport> {
  const failedAsAWhole = (batchError: unknown): SinkDeliveryReport => ({
    outcomes: events.map(() => ({ status: "failed", error: batchError })),
    batchError,
  });
  try {
    await sink.deliver(events, context);
    return { outcomes: events.map(() => ({ status: "delivered" })) };
  } catch (error) {
    if (!isSinkBatchError(error)) return failedAsAWhole(error);
    const { outcomes } = error;
    if (!Array.isArray(outcomes) || outcomes.length !== events.length || !outcomes.every(isOutcome)) {
      const problem = `The sink ${sink.name} reported outcomes that do not fit its batch of ${events.length} events`;
      return failedAsAWhole(new Error(`${problem}: ${error.message}`, { cause: error }));
    }
    if (outcomes.every((outcome) => outcome.status === "not-attempted")) {
      return failedAsAWhole(new Error(`The sink ${sink.name} attempted none of the ${events.length} events: ${error.message}`, { cause: error }));
    }
    return { outcomes };
  }
}
