import type { FriendEventSink, FriendEventStore } from "@friendhook/core";
import { createReceiver } from "@friendhook/receiver";
import { benchAdapters } from "../http/servers/bench-adapters";

export interface DrainResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly deadLettered: number;
  /** `deliver` calls and the events per call. */
  readonly sinkCalls: number;
  /**
   * Where the drain's time went, in microseconds per event, each summed over its calls (calls that
   * overlap are each counted whole, so the parts may add up to more than the drain took).
   */
  readonly microsecondsPerEvent: {
    readonly claim: number;
    readonly sink: number;
    readonly bookkeeping: number;
    readonly total: number;
  };
}

/** Measures how long each delivery call of the store takes, and hands everything else through. */
function timedStore(store: FriendEventStore, totals: { claim: number; bookkeeping: number }): FriendEventStore {
  const timed =
    <Input, Output>(call: (input: Input) => Promise<Output>, add: (milliseconds: number) => void) =>
    async (input: Input) => {
      const startedAt = performance.now();
      try {
        return await call(input);
      } finally {
        add(performance.now() - startedAt);
      }
    };
  return {
    ...store,
    claimDeliveries: timed((input) => store.claimDeliveries(input), (milliseconds) => (totals.claim += milliseconds)),
    completeDeliveries: timed((input) => store.completeDeliveries(input), (milliseconds) => (totals.bookkeeping += milliseconds)),
    failDeliveries: timed((input) => store.failDeliveries(input), (milliseconds) => (totals.bookkeeping += milliseconds)),
  };
}

/**
 * Starts delivery of a stored backlog to one sink, with the receiver's default delivery settings,
 * and measures until every event is settled (stored by the sink, or dead-lettered), the store's
 * bookkeeping of the last batch included. Closes the receiver, and with it the sink and the store.
 */
export async function drainBacklog(store: FriendEventStore, sink: FriendEventSink, events: number, deadlineMs: number): Promise<DrainResult> {
  const totals = { claim: 0, bookkeeping: 0, sink: 0 };
  let settled = 0;
  let deadLettered = 0;
  let sinkCalls = 0;
  let done: () => void = () => undefined;
  const allSettled = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receiver = createReceiver({
    adapters: benchAdapters(),
    store: timedStore(store, totals),
    sinks: [sink],
    observer: {
      deliveryAttempted(info) {
        sinkCalls += 1;
        totals.sink += info.durationMs;
        settled += info.delivered + info.deadLettered;
        deadLettered += info.deadLettered;
        if (settled >= events) done();
      },
    },
  });
  const startedAt = performance.now();
  receiver.start();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), deadlineMs);
  });
  const outcome = await Promise.race([allSettled, deadline]);
  const seconds = (performance.now() - startedAt) / 1000;
  clearTimeout(timer);
  await receiver.close();
  if (outcome === "late") throw new Error(`${settled} of ${events} events were delivered to ${sink.name} within ${deadlineMs / 1000} s`);
  const perEvent = (milliseconds: number) => (milliseconds * 1000) / events;
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    deadLettered,
    sinkCalls,
    microsecondsPerEvent: {
      claim: perEvent(totals.claim),
      sink: perEvent(totals.sink),
      bookkeeping: perEvent(totals.bookkeeping),
      total: perEvent(seconds * 1000),
    },
  };
}
