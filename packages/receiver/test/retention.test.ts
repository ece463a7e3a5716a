import { createMemorySink, createMemoryStore, type FriendEvent, type FriendEventSink, type FriendEventStore, FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createReceiver, type PruneRoundInfo, type ReceiverOptions } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

const minute = 60_000;
const start = Date.UTC(2025, 0, 1);

/** A receiver on a clock the test moves, pruning every 10 ms once it has nothing left to remove. */
function setup(sinks: FriendEventSink[], options: Partial<ReceiverOptions> = {}) {
  let clock = start;
  const rounds: PruneRoundInfo[] = [];
  const inner = options.store ?? createMemoryStore();
  let pruneCalls = 0;
  const store: FriendEventStore = {
    ...inner,
    prune: (input) => {
      pruneCalls += 1;
      return inner.prune(input);
    },
  };
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    sinks,
    delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20 },
    retention: { eventsMs: minute, deadLettersMs: 10 * minute, intervalMs: 10, pauseMs: 0 },
    deduplicationWindowMs: 0,
    observer: { pruned: (info) => rounds.push(info) },
    now: () => clock,
    ...options,
    store,
  });
  opened.push(receiver);
  receiver.start();
  const callbackAt = (id: string) => signedCallback({ id, actor: `actor-${id}`, target: `target-${id}` }, { receivedAt: new Date(clock) });
  return {
    receiver,
    store,
    rounds,
    callbackAt,
    advance: (milliseconds: number) => {
      clock += milliseconds;
    },
    pruned: () => rounds.reduce((total, round) => total + round.events, 0),
    /** Waits until a round that began after this call has ended: pruning has seen the clock as it is now. */
    settle: async () => {
      const calls = pruneCalls;
      await eventually(() => pruneCalls >= calls + 2, "pruning ran a round at the current clock");
    },
  };
}

/** A sink that refuses every batch until opened. */
function gatedSink() {
  const events: FriendEvent[] = [];
  let open = false;
  const sink: FriendEventSink = {
    name: "gated",
    idempotent: true,
    async deliver(batch) {
      if (!open) throw new Error("not yet");
      events.push(...batch);
    },
  };
  return { sink, events, open: () => (open = true) };
}

describe("retention", () => {
  it("prunes an event once it is older than the retention and every sink has it, never before", async () => {
    const steady = createMemorySink();
    const gated = gatedSink();
    const { receiver, store, advance, callbackAt, pruned, settle } = setup([steady, gated.sink], {
      delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20, maximumAttempts: 1000 },
    });
    for (const id of ["one", "two", "three"]) expect((await receiver.handle("fixture", callbackAt(id))).status).toBe(200);
    await eventually(() => steady.events.length === 3, "the steady sink has every event");
    advance(minute + 1);
    // The gated sink has none yet: nothing may go, however old.
    await settle();
    expect(await store.countDeliveries()).toEqual([{ sink: "gated", pending: 3, deadLettered: 0 }]);
    expect(pruned()).toBe(0);
    expect((await store.measure()).events).toBe(3);
    gated.open();
    // The clock stands still in this test: move it past the retries the refusals scheduled.
    advance(1000);
    await eventually(() => gated.events.length === 3, "the gated sink has every event");
    await eventually(async () => (await store.measure()).events === 0, "every event is pruned once both sinks have it");
    expect(pruned()).toBe(3);
    // Every event reached both sinks before it went.
    expect(new Set(gated.events.map((event) => event.id)).size).toBe(3);
  });

  it("keeps events younger than the retention", async () => {
    const steady = createMemorySink();
    const { receiver, store, advance, callbackAt, rounds } = setup([steady]);
    expect((await receiver.handle("fixture", callbackAt("old"))).status).toBe(200);
    advance(30_000);
    expect((await receiver.handle("fixture", callbackAt("young"))).status).toBe(200);
    await eventually(() => steady.events.length === 2, "the sink has both events");
    advance(30_001);
    await eventually(() => rounds.length > 0, "a round removed something");
    expect((await store.listEvents()).events.map((event) => event.source.messageId ?? event.id)).toHaveLength(1);
    expect((await store.listEvents()).events[0]?.actor).toBe("actor-young");
  });

  it("keeps events for the deduplication window when it is longer than the retention: a copy within it is a duplicate", async () => {
    const steady = createMemorySink();
    const { receiver, store, advance, callbackAt, settle } = setup([steady], { deduplicationWindowMs: 5 * minute });
    expect(receiver.deduplicationWindowMs).toBe(5 * minute);
    const original = callbackAt("retried");
    expect((await receiver.handle("fixture", original)).status).toBe(200);
    await eventually(() => steady.events.length === 1, "the sink has the event");
    advance(4 * minute);
    // Pruning has had its chance at a clock past the retention: it removed nothing.
    await settle();
    expect((await store.measure()).events).toBe(1);
    expect((await receiver.handle("fixture", { ...original, receivedAt: new Date(start + 4 * minute) })).status).toBe(200);
    expect((await store.measure()).events).toBe(1);
    expect(await store.countDeliveries()).toEqual([]);
    advance(minute + 1);
    await eventually(async () => (await store.measure()).events === 0, "the event is pruned once the window has passed");
  });

  it("widens the deduplication window to what an adapter needs", () => {
    const receiver = createReceiver({
      adapters: { fixture: createFixtureAdapter(), widened: { ...createFixtureAdapter(), deduplicationWindowMs: 20 * minute } },
      store: createMemoryStore(),
      deduplicationWindowMs: minute,
    });
    opened.push(receiver);
    expect(receiver.deduplicationWindowMs).toBe(20 * minute);
  });

  it("keeps a dead letter and its event until the dead-letter retention, then prunes both", async () => {
    const refusing: FriendEventSink = {
      name: "refusing",
      idempotent: true,
      async deliver() {
        throw new Error("refused");
      },
    };
    const { receiver, store, advance, callbackAt, settle } = setup([refusing], {
      delivery: { pollIntervalMs: 10, initialBackoffMs: 1, maximumBackoffMs: 1, maximumAttempts: 1 },
    });
    expect((await receiver.handle("fixture", callbackAt("dead"))).status).toBe(200);
    await eventually(async () => (await store.listDeadLetters()).deadLetters.length === 1, "the delivery is a dead letter");
    advance(5 * minute);
    await settle();
    expect((await store.measure()).events).toBe(1);
    advance(5 * minute + 1);
    await eventually(async () => (await store.measure()).events === 0, "the dead letter and its event are pruned");
    expect((await store.listDeadLetters()).deadLetters).toEqual([]);
  });

  it("stops pruning when closed, with no round left running", async () => {
    let rounds = 0;
    let running = 0;
    const memory = createMemoryStore();
    const store: FriendEventStore = {
      ...memory,
      async prune(input) {
        rounds += 1;
        running += 1;
        try {
          return await memory.prune(input);
        } finally {
          running -= 1;
        }
      },
    };
    const { receiver } = setup([], { store });
    await eventually(() => rounds >= 3, "pruning ran a few rounds");
    await receiver.close();
    expect(running).toBe(0);
    // Closed means the store is closed too: a round after it would have thrown store_unavailable into the log.
    const atClose = rounds;
    await expect(memory.prune({ eventsReceivedBefore: 0, deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 1 })).rejects.toThrow(/closed/);
    expect(rounds).toBe(atClose);
  });

  it("refuses a mistyped retention option with misconfigured", () => {
    const attempt = () =>
      createReceiver({
        adapters: { fixture: createFixtureAdapter() },
        store: createMemoryStore(),
        retention: { eventsMs: minute, deadLettersMs: minute, intervallMs: 10 } as never,
      });
    expect(attempt).toThrow(FriendhookError);
    expect(attempt).toThrow(/intervallMs/);
  });
});
