import type { FriendEvent } from "./friend-event";

/**
 * The sink contract. A sink receives batches of events in delivery order and either stores all of
 * them or throws: a partly stored batch must be delivered again in full, which is why a sink says
 * whether it keeps one copy per event id (`idempotent`).
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
  /** Retrying cannot help (HTTP 410 Gone): the delivery goes to the dead letters at once. */
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
