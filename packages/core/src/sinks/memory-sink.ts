import type { FriendEvent } from "../friend-event";
import { type FriendEventSink, SinkBatchError, type SinkEventOutcome } from "../friend-event-sink";
import { deliveryOrderKey } from "../store/delivery-order-key";

export interface MemorySinkOptions {
  /** Keep one copy per event id (the default), or every delivered copy. */
  idempotent?: boolean;
}

/** Says whether one event is refused, and why: an error refuses it, `undefined` stores it. */
export type EventRefusal = (event: FriendEvent) => Error | undefined;

export interface MemorySink extends FriendEventSink {
  /** The stored events, in the order they were first delivered. */
  readonly events: readonly FriendEvent[];
  /** How many `deliver` calls stored their whole batch. */
  readonly deliveries: number;
  /** Makes every following `deliver` throw `error` (the batch fails as a whole), until called with `undefined`. */
  failWith(error: Error | undefined): void;
  /**
   * Makes every following `deliver` refuse the events `refuse` returns an error for, until called
   * with `undefined`. The other events are stored, except the later events of a refused event's
   * user pair, which are not attempted; the call then throws a `SinkBatchError` saying so.
   */
  refuseEvents(refuse: EventRefusal | undefined): void;
  clear(): void;
}

/** Keeps events in memory: for tests, and for trying friendhook without any server. */
export function createMemorySink(options: MemorySinkOptions = {}): MemorySink {
  const idempotent = options.idempotent ?? true;
  let events: FriendEvent[] = [];
  let knownIds = new Set<string>();
  let deliveries = 0;
  let failure: Error | undefined;
  let refusal: EventRefusal | undefined;

  const store = (event: FriendEvent) => {
    if (idempotent && knownIds.has(event.id)) return;
    knownIds.add(event.id);
    events.push(event);
  };

  return {
    name: "memory",
    idempotent,
    get events() {
      return events;
    },
    get deliveries() {
      return deliveries;
    },
    async deliver(batch) {
      if (failure) throw failure;
      const stoppedPairs = new Set<string>();
      const outcomes = batch.map((event): SinkEventOutcome => {
        const pair = deliveryOrderKey(event);
        if (stoppedPairs.has(pair)) return { status: "not-attempted" };
        const error = refusal?.(event);
        if (error) {
          stoppedPairs.add(pair);
          return { status: "failed", error };
        }
        store(event);
        return { status: "delivered" };
      });
      if (stoppedPairs.size > 0) throw new SinkBatchError(`The memory sink refused events of ${stoppedPairs.size} user pairs.`, outcomes);
      deliveries += 1;
    },
    failWith(error) {
      failure = error;
    },
    refuseEvents(refuse) {
      refusal = refuse;
    },
    clear() {
      events = [];
      knownIds = new Set();
      deliveries = 0;
    },
  };
}
