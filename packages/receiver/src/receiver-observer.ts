/** What happened to one callback. */
export interface CallbackHandledInfo {
  /** The route name the callback came in on (a key of `adapters`). */
  readonly adapter: string;
  readonly provider: string;
  /**
   * `stored`: at least one new event was stored. `duplicate`: every event was already stored (or
   * there were none to store). `unrecognized`: kept as an unrecognized callback. `refused`: the
   * request was bad (4xx, nothing stored). `failed`: the receiver could not store it (5xx).
   */
  readonly outcome: "stored" | "duplicate" | "unrecognized" | "refused" | "failed";
  readonly status: number;
  readonly errorCode?: string;
  /** The types of the callback's events, in order (stored or duplicate). */
  readonly eventTypes: readonly string[];
  readonly durationMs: number;
}

/**
 * What happened to one batch handed to one sink (one `deliver` call). A batch that fails is
 * delivered again in parts, each reported on its own.
 */
export interface DeliveryAttemptedInfo {
  readonly sink: string;
  /** Events handed to the sink. */
  readonly events: number;
  /** Whether the sink stored every one of them. */
  readonly succeeded: boolean;
  /** How many of them the sink stored. */
  readonly delivered: number;
  /** How many deliveries went to the dead letters after this attempt. */
  readonly deadLettered: number;
  readonly errorMessage?: string;
  readonly durationMs: number;
}

/** What one round of pruning removed (see `retention`); reported when it removed anything. */
export interface PruneRoundInfo {
  readonly events: number;
  readonly deadLetters: number;
  readonly callbacks: number;
  readonly tombstones: number;
  readonly decisions: number;
  readonly durationMs: number;
}

/** Hooks for metrics (prom-client counters and histograms fit here). Exceptions thrown by hooks are ignored. */
export interface ReceiverObserver {
  callbackHandled?(info: CallbackHandledInfo): void;
  deliveryAttempted?(info: DeliveryAttemptedInfo): void;
  pruned?(info: PruneRoundInfo): void;
}
