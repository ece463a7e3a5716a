import type { FriendEvent } from "../friend-event";
import type { FriendEventSink } from "../friend-event-sink";

export interface MemorySinkOptions {
  /** Keep one copy per event id (the default), or every delivered copy. */
  idempotent?: boolean;
}

export interface MemorySink extends FriendEventSink {
  /** The stored events, in the order they were first delivered. */
  readonly events: readonly FriendEvent[];
  /** How many `deliver` calls succeeded. */
  readonly deliveries: number;
  /** Makes every following `deliver` throw `error`, until called with `undefined`. */
  failWith(error: Error | undefined): void;
  clear(): void;
}

/** Keeps events in memory: for tests, and for trying friendhook without any server. */
export function createMemorySink(options: MemorySinkOptions = {}): MemorySink {
  const idempotent = options.idempotent ?? true;
  let events: FriendEvent[] = [];
  let knownIds = new Set<string>();
  let deliveries = 0;
  let failure: Error | undefined;

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
      for (const event of batch) {
        if (idempotent && knownIds.has(event.id)) continue;
        knownIds.add(event.id);
        events.push(event);
      }
      deliveries += 1;
    },
    failWith(error) {
      failure = error;
    },
    clear() {
      events = [];
      knownIds = new Set();
      deliveries = 0;
    },
  };
}
