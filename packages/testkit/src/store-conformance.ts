import { type CallbackBinding, deriveCallbackId, deriveEventId, type FriendEvent, FriendhookError, type RelationshipEventType } from "@friendhook/core";
import { createFriendTable, type Delivery, type FriendEventStore, type RecordedDecision, type StoredCallback } from "@friendhook/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildFriendEvent, buildFriendEvents } from "./sample-events";

export interface StoreConformanceOptions<Store extends FriendEventStore> {
  /** Builds a store over empty storage (a fresh file, schema or database). */
  readonly createStore: () => Store | Promise<Store>;
  /**
   * For durable stores: opens the same storage again after `store` was closed. The suite then
   * checks that events, deliveries, dead letters and the friend table survive a restart.
   */
  readonly reopenStore?: (store: Store) => Store | Promise<Store>;
}

const sink = "primary";
const otherSink = "secondary";
const start = Date.UTC(2024, 0, 1);

/** A relationship event between two users at `start + second` seconds, with an id unique to `name`. */
function relationEvent(type: RelationshipEventType | "friend.request.sent" | "friend.request.accepted" | "friend.operation.failed", actor: string, target: string, second: number, name: string, overrides: Partial<FriendEvent> = {}): FriendEvent {
  const occurredAt = new Date(start + second * 1000).toISOString();
  const details = type === "friend.operation.failed" ? { attemptedType: "friend.added", failureCode: "error" } : {};
  return buildFriendEvent({
    id: deriveEventId({ provider: "testkit", appId: "demo#app", type, parts: [name] }),
    type,
    actor,
    target,
    mutual: type === "friend.added" || type === "friend.removed",
    occurredAt,
    occurredAtSource: "provider-milliseconds",
    receivedAt: occurredAt,
    details,
    ...overrides,
  } as Partial<FriendEvent>);
}

/** A recognized callback whose body names `name`, as a receiver keeps it. */
function storedCallback(name: string, command = "roster:accept"): StoredCallback {
  const body = JSON.stringify({ operation: command.split(":").at(-1), name });
  return {
    id: deriveCallbackId({ provider: "testkit", appId: "demo#app", command, body }),
    provider: "testkit",
    appId: "demo#app",
    command,
    receivedAt: new Date(start).toISOString(),
    body,
  };
}

function unrecognizedCallback(name: string): StoredCallback {
  return { ...storedCallback(name, "roster:unknown"), unrecognizedReason: "The operation is not one the adapter knows." };
}

/** A decision about a request from `actor` to `target`, decided `second` seconds after the start. */
function recordedDecision(id: string, actor: string, target: string, second: number, overrides: Partial<RecordedDecision> = {}): RecordedDecision {
  return {
    id,
    provider: "testkit",
    appId: "demo#app",
    stage: "request",
    actor,
    target,
    allow: true,
    decidedBy: "default",
    decidedAt: new Date(start + second * 1000).toISOString(),
    ...overrides,
  };
}

/** A binding as an adapter whose signature does not cover the body gives it, valid for an hour from now. */
function binding(key: string, fingerprint: string, expiresAt = Date.now() + 3_600_000): CallbackBinding {
  return { key, fingerprint, expiresAt };
}

/** The refusal of an append, checked for its code and status. */
async function refusalOf(appending: Promise<unknown>): Promise<FriendhookError> {
  const error = await appending.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, "the store accepted an append it had to refuse").toBeInstanceOf(FriendhookError);
  return error as FriendhookError;
}

/** The same pseudo-random order on every run: a shuffle that a failure can be reproduced with. */
function shuffled<Item>(items: readonly Item[], seed: number): Item[] {
  const result = [...items];
  let state = seed >>> 0;
  for (let index = result.length - 1; index > 0; index -= 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const other = state % (index + 1);
    [result[index], result[other]] = [result[other] as Item, result[index] as Item];
  }
  return result;
}

const ids = (items: ReadonlyArray<{ id: string } | { event: { id: string } }>) =>
  items.map((item) => ("event" in item ? item.event.id : item.id));

/**
 * The conformance suite every `FriendEventStore` calls once from its own test file, against its
 * real storage: dedupe by event id, the ordering cursor, per-pair ordered claiming, lease expiry,
 * dead letters and replay, stored callbacks and the events' links to them, signature bindings,
 * text no store can keep, and the friend table's convergence.
 */
export function describeStoreConformance<Store extends FriendEventStore>(name: string, options: StoreConformanceOptions<Store>): void {
  describe(`${name}: store conformance`, () => {
    let opened: Store[] = [];
    const open = async () => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      for (const store of opened.splice(0).reverse()) await store.close().catch(() => undefined);
      opened = [];
    });

    describe("append", () => {
      it("stores events once per id and reports inserted and duplicate counts", async () => {
        const store = await open();
        const events = buildFriendEvents(4);
        expect(await store.append({ events: events.slice(0, 3), sinks: [sink] })).toEqual({ inserted: 3, duplicates: 0, callbackInserted: false });
        expect(await store.append({ events, sinks: [sink] })).toEqual({ inserted: 1, duplicates: 3, callbackInserted: false });
        expect(await store.append({ events: [events[0] as FriendEvent, events[0] as FriendEvent], sinks: [sink] })).toEqual({
          inserted: 0,
          duplicates: 2,
          callbackInserted: false,
        });
        const page = await store.listEvents();
        expect(page.events).toEqual(events);
      });

      it("enqueues one delivery per new event and sink, none for duplicates", async () => {
        const store = await open();
        const events = buildFriendEvents(3);
        await store.append({ events, sinks: [sink, otherSink] });
        await store.append({ events, sinks: [sink, otherSink] });
        const claimed = await store.claimDeliveries({ sink, limit: 100, leaseMs: 1000, now: start });
        expect(ids(claimed)).toEqual(ids(events));
        expect(claimed.every((delivery) => delivery.sink === sink && delivery.attempts === 0)).toBe(true);
        expect(claimed.map((delivery) => delivery.event)).toEqual(events);
        const other = await store.claimDeliveries({ sink: otherSink, limit: 100, leaseMs: 1000, now: start });
        expect(ids(other)).toEqual(ids(events));
        // Each event's place in arrival order: growing in stored order, the same for every sink.
        const sequences = claimed.map((delivery) => delivery.sequence);
        expect(sequences.every((sequence, index) => Number.isSafeInteger(sequence) && (index === 0 || sequence > (sequences[index - 1] as number)))).toBe(true);
        expect(other.map((delivery) => delivery.sequence)).toEqual(sequences);
        expect(new Set([...claimed, ...other].map((delivery) => delivery.deliveryId)).size).toBe(6);
        expect(await store.countDeliveries()).toEqual([
          { sink: sink, pending: 3, deadLettered: 0 },
          { sink: otherSink, pending: 3, deadLettered: 0 },
        ]);
      });

      it("stores every one of many concurrent appends, duplicates once", async () => {
        const store = await open();
        const events = buildFriendEvents(60);
        const results = await Promise.all(events.map((event, index) => store.append({ events: [event, events[Math.max(0, index - 1)] as FriendEvent], sinks: [sink] })));
        expect(results.reduce((total, result) => total + result.inserted, 0)).toBe(60);
        expect((await store.listEvents({ limit: 1000 })).events.map((event) => event.id).sort()).toEqual(ids(events).sort());
      });
    });

    describe("listEvents", () => {
      it("pages through events in stored order with an opaque cursor", async () => {
        const store = await open();
        const events = buildFriendEvents(25);
        for (let index = 0; index < events.length; index += 4) await store.append({ events: events.slice(index, index + 4), sinks: [] });
        const seen: FriendEvent[] = [];
        let after: string | undefined;
        const sizes: number[] = [];
        for (;;) {
          const page = await store.listEvents({ after, limit: 10 });
          sizes.push(page.events.length);
          if (page.events.length === 0) {
            expect(page.next).toBeUndefined();
            break;
          }
          expect(typeof page.next).toBe("string");
          seen.push(...page.events);
          after = page.next;
        }
        expect(sizes).toEqual([10, 10, 5, 0]);
        expect(seen).toEqual(events);
        await store.append({ events: buildFriendEvents(2, 100), sinks: [] });
        expect(ids((await store.listEvents({ after })).events)).toEqual(ids(buildFriendEvents(2, 100)));
      });

      it("refuses a cursor it did not make with invalid_payload", async () => {
        const store = await open();
        await expect(store.listEvents({ after: "not-a-cursor" })).rejects.toBeInstanceOf(FriendhookError);
        await expect(store.listEvents({ after: "not-a-cursor" })).rejects.toMatchObject({ code: "invalid_payload" });
      });
    });

    describe("claimDeliveries", () => {
      // alice–bob is one pair whoever acts; carol–dave another.
      const first = relationEvent("friend.added", "alice", "bob", 1, "first");
      const other = relationEvent("friend.added", "carol", "dave", 2, "other");
      const second = relationEvent("friend.blocked", "bob", "alice", 3, "second");
      const third = relationEvent("friend.unblocked", "bob", "alice", 4, "third");

      it("hands out several events of one pair together, in stored order", async () => {
        const store = await open();
        await store.append({ events: [first, other, second, third], sinks: [sink] });
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start }))).toEqual(ids([first, other, second, third]));
      });

      it("never hands out an event while an earlier one of its pair is leased or waiting for a retry", async () => {
        const store = await open();
        await store.append({ events: [first, other, second], sinks: [sink, otherSink] });
        const [claimedFirst] = await store.claimDeliveries({ sink, limit: 1, leaseMs: 10_000, now: start });
        expect(claimedFirst?.event.id).toBe(first.id);
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start }))).toEqual([other.id]);
        await store.append({ events: [third], sinks: [sink, otherSink] });
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start })).toEqual([]);
        await store.failDeliveries({ failures: [{ deliveryId: claimedFirst?.deliveryId ?? "", error: "boom", retryAt: start + 5000 }], now: start });
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start + 4999 })).toEqual([]);
        // Another sink is not held back by this one.
        expect(ids(await store.claimDeliveries({ sink: otherSink, limit: 10, leaseMs: 10_000, now: start }))).toEqual(ids([first, other, second, third]));
        const retried = await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start + 5000 });
        expect(ids(retried)).toEqual(ids([first, second, third]));
        expect(retried.map((delivery) => delivery.attempts)).toEqual([1, 0, 0]);
        await store.completeDeliveries({ deliveryIds: retried.map((delivery) => delivery.deliveryId) });
        // The lease on `other` ran out without an outcome: it is handed out again.
        const expired = await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start + 60_000 });
        expect(ids(expired)).toEqual([other.id]);
        await store.completeDeliveries({ deliveryIds: expired.map((delivery) => delivery.deliveryId) });
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start + 120_000 })).toEqual([]);
      });

      it("hands out a delivery again once its lease ran out, and ignores outcomes for deliveries no longer pending", async () => {
        const store = await open();
        await store.append({ events: [first, second], sinks: [sink] });
        const claimed = await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start });
        expect(ids(claimed)).toEqual(ids([first, second]));
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 999 })).toEqual([]);
        const reclaimed = await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 1000 });
        expect(ids(reclaimed)).toEqual(ids([first, second]));
        expect(reclaimed.map((delivery) => delivery.deliveryId)).toEqual(claimed.map((delivery) => delivery.deliveryId));
        await store.completeDeliveries({ deliveryIds: reclaimed.map((delivery) => delivery.deliveryId) });
        // The first worker, late, reports a failure: it must not bring the deliveries back.
        await store.failDeliveries({
          failures: claimed.map((delivery) => ({ deliveryId: delivery.deliveryId, error: "late", deadLetter: true as const })),
          now: start + 2000,
        });
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 10_000 })).toEqual([]);
        expect((await store.listDeadLetters()).deadLetters).toEqual([]);
        expect(await store.countDeliveries()).toEqual([]);
      });
    });

    describe("dead letters", () => {
      it("keeps dead letters for inspection, does not let them hold their pair back, and replays them", async () => {
        const store = await open();
        const first = relationEvent("friend.added", "alice", "bob", 1, "dead-first");
        const second = relationEvent("friend.removed", "alice", "bob", 2, "dead-second");
        await store.append({ events: [first, second], sinks: [sink, otherSink] });
        const [claimed] = await store.claimDeliveries({ sink, limit: 1, leaseMs: 1000, now: start });
        await store.failDeliveries({ failures: [{ deliveryId: claimed?.deliveryId ?? "", error: "first failure", retryAt: start }], now: start });
        const [again] = await store.claimDeliveries({ sink, limit: 1, leaseMs: 1000, now: start });
        expect(again?.attempts).toBe(1);
        await store.failDeliveries({ failures: [{ deliveryId: again?.deliveryId ?? "", error: "Error: gone for good", deadLetter: true }], now: start + 5 });

        const { deadLetters, next } = await store.listDeadLetters();
        expect(deadLetters).toEqual([
          {
            deliveryId: claimed?.deliveryId,
            sink,
            event: first,
            attempts: 2,
            lastError: "Error: gone for good",
            deadLetteredAt: new Date(start + 5).toISOString(),
          },
        ]);
        expect(typeof next).toBe("string");
        expect((await store.listDeadLetters({ after: next })).deadLetters).toEqual([]);
        expect((await store.listDeadLetters({ sink: otherSink })).deadLetters).toEqual([]);
        expect(await store.countDeliveries()).toEqual([
          { sink, pending: 1, deadLettered: 1 },
          { sink: otherSink, pending: 2, deadLettered: 0 },
        ]);

        const after = await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 10 });
        expect(ids(after)).toEqual([second.id]);
        await store.completeDeliveries({ deliveryIds: after.map((delivery) => delivery.deliveryId) });

        expect(await store.replayDeadLetters({ sink: otherSink, now: start + 20 })).toBe(0);
        expect(await store.replayDeadLetters({ deliveryIds: ["999999"], now: start + 20 })).toBe(0);
        expect(await store.replayDeadLetters({ sink, deliveryIds: [claimed?.deliveryId ?? ""], now: start + 20 })).toBe(1);
        expect((await store.listDeadLetters()).deadLetters).toEqual([]);
        const replayed = await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 20 });
        expect(replayed).toEqual([{ deliveryId: claimed?.deliveryId, sink, event: first, sequence: claimed?.sequence, attempts: 0 }]);
        expect(await store.replayDeadLetters({ now: start + 30 })).toBe(0);
      });

      it("replays every dead letter of every sink when asked for all", async () => {
        const store = await open();
        const events = buildFriendEvents(3);
        await store.append({ events, sinks: [sink, otherSink] });
        for (const name of [sink, otherSink]) {
          const claimed = await store.claimDeliveries({ sink: name, limit: 10, leaseMs: 1000, now: start });
          await store.failDeliveries({ failures: claimed.map((delivery) => ({ deliveryId: delivery.deliveryId, error: "410 Gone", deadLetter: true as const })), now: start });
        }
        const firstPage = await store.listDeadLetters({ limit: 4 });
        expect(firstPage.deadLetters).toHaveLength(4);
        const secondPage = await store.listDeadLetters({ after: firstPage.next, limit: 4 });
        expect(secondPage.deadLetters).toHaveLength(2);
        expect(ids([...firstPage.deadLetters, ...secondPage.deadLetters]).sort()).toEqual([...ids(events), ...ids(events)].sort());
        expect(await store.replayDeadLetters({ now: start + 1 })).toBe(6);
        expect(ids(await store.claimDeliveries({ sink: otherSink, limit: 10, leaseMs: 1000, now: start + 1 }))).toEqual(ids(events));
      });
    });

    describe("backfills", () => {
      /** Claims every delivery of the sink and completes them; returns them in the order claimed. */
      const drain = async (store: FriendEventStore, sinkName: string, now = start) => {
        const claimed = await store.claimDeliveries({ sink: sinkName, limit: 1000, leaseMs: 1000, now });
        await store.completeDeliveries({ deliveryIds: claimed.map((delivery) => delivery.deliveryId) });
        return claimed;
      };
      /** Continues the sink's backfills until none is left; returns each call's progress. */
      const finish = async (store: FriendEventStore, sinkName: string, limit: number) => {
        const calls: Array<{ enqueued: number; finished: boolean }> = [];
        for (let call = 0; call < 100; call += 1) {
          const progress = await store.continueBackfill({ sink: sinkName, limit });
          calls.push(progress);
          if (progress.finished) return calls;
        }
        throw new Error("the backfill never finished");
      };

      it("delivers what was stored before a sink existed, from the earliest retained event, in batches, once per name", async () => {
        const store = await open();
        const events = buildFriendEvents(5);
        await store.append({ events, sinks: [sink] });
        const sequences = (await drain(store, sink)).map((delivery) => delivery.sequence);
        const backfill = await store.beginBackfill({ sink: otherSink, name: "from=earliest" });
        expect(backfill).toEqual({ sink: otherSink, name: "from=earliest", fromSequence: sequences[0], toSequence: sequences[4], nextSequence: sequences[0], enqueued: 0 });
        // Appended after it began: delivered as every new event is, never enqueued a second time.
        const later = buildFriendEvents(1, 5);
        await store.append({ events: later, sinks: [sink, otherSink] });
        expect(await store.continueBackfill({ sink: otherSink, limit: 2 })).toEqual({ enqueued: 2, finished: false });
        // The sink's claims wait while its backfill is enqueued, so that no later event of a pair goes first.
        expect(await store.claimDeliveries({ sink: otherSink, limit: 100, leaseMs: 1000, now: start })).toEqual([]);
        expect(ids(await drain(store, sink))).toEqual(ids(later));
        expect(await finish(store, otherSink, 2)).toEqual([
          { enqueued: 2, finished: false },
          { enqueued: 1, finished: true },
        ]);
        const delivered = await drain(store, otherSink);
        expect(ids(delivered)).toEqual(ids([...events, ...later]));
        expect(delivered.map((delivery) => delivery.sequence).slice(0, 5)).toEqual(sequences);
        // Begun again (a restart): the same record, finished; nothing is enqueued again.
        expect(await store.beginBackfill({ sink: otherSink, name: "from=earliest" })).toEqual({ ...backfill, nextSequence: undefined, enqueued: 5 });
        expect(await store.continueBackfill({ sink: otherSink, limit: 100 })).toEqual({ enqueued: 0, finished: true });
        expect(await store.claimDeliveries({ sink: otherSink, limit: 100, leaseMs: 1000, now: start })).toEqual([]);
        expect(await store.countDeliveries()).toEqual([]);
      });

      it("re-sends a range already delivered, skips events the sink still has a delivery of, and ends at the last event stored when it began", async () => {
        const store = await open();
        const events = buildFriendEvents(6);
        await store.append({ events: events.slice(0, 4), sinks: [sink] });
        const claimed = await store.claimDeliveries({ sink, limit: 3, leaseMs: 1000, now: start });
        const [delivered, dead, failed] = claimed as [Delivery, Delivery, Delivery];
        await store.completeDeliveries({ deliveryIds: [delivered.deliveryId] });
        await store.failDeliveries({
          failures: [
            { deliveryId: dead.deliveryId, error: "gone", deadLetter: true },
            { deliveryId: failed.deliveryId, error: "later", retryAt: start },
          ],
          now: start,
        });
        const range = { fromSequence: delivered.sequence, toSequence: Number.MAX_SAFE_INTEGER - 1 };
        const backfill = await store.beginBackfill({ sink, name: "replay", ...range });
        expect(backfill.toSequence).toBeGreaterThanOrEqual(failed.sequence);
        await store.append({ events: events.slice(4), sinks: [sink] });
        // Only the delivered event goes again: the dead letter is replayed apart, pending ones are there once.
        expect(await finish(store, sink, 1000)).toEqual([{ enqueued: 1, finished: true }]);
        const again = await drain(store, sink, start + 1);
        expect(ids(again)).toEqual(ids([events[0] as FriendEvent, events[2] as FriendEvent, events[3] as FriendEvent, ...events.slice(4)]));
        expect(again[0]?.sequence).toBe(delivered.sequence);
        expect(ids((await store.listDeadLetters()).deadLetters)).toEqual([dead.event.id]);
        // A range with nothing stored in it is finished from the start.
        const empty = await store.beginBackfill({ sink, name: "nothing", fromSequence: Number.MAX_SAFE_INTEGER - 1 });
        expect(empty.nextSequence).toBeUndefined();
        expect(await store.continueBackfill({ sink, limit: 10 })).toEqual({ enqueued: 0, finished: true });
      });

      it("delivers a backfilled event of a pair before the pair's later events still pending", async () => {
        const store = await open();
        const first = relationEvent("friend.added", "alice", "bob", 1, "backfill-first");
        const second = relationEvent("friend.blocked", "bob", "alice", 2, "backfill-second");
        const other = relationEvent("friend.added", "carol", "dave", 3, "backfill-other");
        await store.append({ events: [first], sinks: [sink] });
        const [firstDelivery] = await drain(store, sink);
        await store.append({ events: [second, other], sinks: [sink] });
        await store.beginBackfill({ sink, name: "first again", fromSequence: firstDelivery?.sequence, toSequence: firstDelivery?.sequence });
        await finish(store, sink, 10);
        const [claimedFirst] = await store.claimDeliveries({ sink, limit: 1, leaseMs: 10_000, now: start });
        expect(claimedFirst?.event.id).toBe(first.id);
        // The pair waits for its earlier event, leased now; another pair goes on.
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start }))).toEqual([other.id]);
        await store.completeDeliveries({ deliveryIds: [claimedFirst?.deliveryId ?? ""] });
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 10_000, now: start }))).toEqual([second.id]);
      });

      it("is one backfill when begun and continued by several callers at once, each event enqueued once", async () => {
        const store = await open();
        const events = buildFriendEvents(30);
        await store.append({ events, sinks: [] });
        const begun = await Promise.all([1, 2, 3].map(() => store.beginBackfill({ sink, name: "from=earliest" })));
        expect(new Set(begun.map((backfill) => JSON.stringify(backfill))).size).toBe(1);
        const progress = await Promise.all([1, 2, 3].map(() => finish(store, sink, 4)));
        expect(progress.flat().reduce((total, call) => total + call.enqueued, 0)).toBe(30);
        expect(ids(await drain(store, sink))).toEqual(ids(events));
      });

      it("cannot bring back pruned events: the earliest is the earliest retained", async () => {
        const store = await open();
        const old = relationEvent("friend.added", "alice", "bob", 1, "backfill-old");
        const kept = { ...relationEvent("friend.added", "carol", "dave", 2, "backfill-kept"), receivedAt: new Date(start + 3_600_000).toISOString() };
        await store.append({ events: [old, kept], sinks: [sink] });
        await drain(store, sink);
        const pruned = await store.prune({ eventsReceivedBefore: start + 60_000, deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 100 });
        expect(pruned.events).toBe(1);
        await store.beginBackfill({ sink: otherSink, name: "from=earliest", fromSequence: 0 });
        expect(await finish(store, otherSink, 10)).toEqual([{ enqueued: 1, finished: true }]);
        expect(ids(await drain(store, otherSink))).toEqual([kept.id]);
      });

      it("refuses a range that ends before it starts, or sequences that are not whole numbers, with invalid_payload", async () => {
        const store = await open();
        await expect(store.beginBackfill({ sink, name: "bad", fromSequence: 5, toSequence: 4 })).rejects.toMatchObject({ code: "invalid_payload" });
        await expect(store.beginBackfill({ sink, name: "bad", fromSequence: -1 })).rejects.toMatchObject({ code: "invalid_payload" });
        await expect(store.beginBackfill({ sink, name: "bad", toSequence: 1.5 })).rejects.toMatchObject({ code: "invalid_payload" });
        expect(await store.continueBackfill({ sink, limit: 10 })).toEqual({ enqueued: 0, finished: true });
      });
    });

    describe("callbacks", () => {
      it("stores each callback once, links the events it stored to it, and reads it by its id or by an event's", async () => {
        const store = await open();
        const [first, shared, later, unlinked] = buildFriendEvents(4);
        const accept = storedCallback("accept");
        // Another view of the same action: another body, one event in common.
        const remoteAccept = storedCallback("remote-accept", "roster:remote_accept");
        expect(await store.append({ events: [first, shared] as FriendEvent[], callback: accept, sinks: [sink] })).toEqual({ inserted: 2, duplicates: 0, callbackInserted: true });
        expect(await store.append({ events: [first, shared] as FriendEvent[], callback: accept, sinks: [sink] })).toEqual({ inserted: 0, duplicates: 2, callbackInserted: false });
        expect(await store.append({ events: [shared, later] as FriendEvent[], callback: remoteAccept, sinks: [sink] })).toEqual({ inserted: 1, duplicates: 1, callbackInserted: true });
        expect(await store.append({ events: [unlinked as FriendEvent], sinks: [sink] })).toEqual({ inserted: 1, duplicates: 0, callbackInserted: false });

        expect(await store.readCallback({ callbackId: accept.id })).toEqual(accept);
        expect(await store.readCallback({ callbackId: remoteAccept.id })).toEqual(remoteAccept);
        expect(await store.readCallback({ eventId: first?.id ?? "" })).toEqual(accept);
        // The first callback that stored an event is its source.
        expect(await store.readCallback({ eventId: shared?.id ?? "" })).toEqual(accept);
        expect(await store.readCallback({ eventId: later?.id ?? "" })).toEqual(remoteAccept);
        expect(await store.readCallback({ eventId: unlinked?.id ?? "" })).toBeUndefined();
        expect(await store.readCallback({ callbackId: storedCallback("never sent").id })).toBeUndefined();
        expect(await store.readCallback({ eventId: "evt_00000000000000000000000000000000" })).toBeUndefined();
        expect((await store.listUnrecognized()).callbacks).toEqual([]);
        expect(ids((await store.listEvents()).events)).toEqual(ids([first, shared, later, unlinked] as FriendEvent[]));
      });

      it("stores each unrecognized callback once and lists them, and only them, in stored order", async () => {
        const store = await open();
        const records = [unrecognizedCallback("one"), unrecognizedCallback("two"), unrecognizedCallback("three")];
        expect(await store.append({ events: [], callback: records[0], sinks: [sink] })).toEqual({ inserted: 0, duplicates: 0, callbackInserted: true });
        expect(await store.append({ events: [], callback: records[0], sinks: [sink] })).toEqual({ inserted: 0, duplicates: 0, callbackInserted: false });
        await store.append({ events: buildFriendEvents(1), callback: storedCallback("recognized"), sinks: [] });
        await store.append({ events: [], callback: records[1], sinks: [sink] });
        await store.append({ events: [], callback: records[2], sinks: [sink] });
        const firstPage = await store.listUnrecognized({ limit: 2 });
        expect(firstPage.callbacks).toEqual(records.slice(0, 2));
        const secondPage = await store.listUnrecognized({ after: firstPage.next, limit: 2 });
        expect(secondPage.callbacks).toEqual(records.slice(2));
        expect((await store.listUnrecognized({ after: secondPage.next })).callbacks).toEqual([]);
        expect(await store.readCallback({ callbackId: records[1]?.id ?? "" })).toEqual(records[1]);
        expect((await store.listEvents()).events).toEqual(buildFriendEvents(1));
        expect(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start })).toEqual([]);
      });
    });

    describe("decisions", () => {
      it("records each decision once, with every field, and lists them in recorded order a page at a time", async () => {
        const store = await open();
        const denied = recordedDecision("decision-1", "alice", "bob", 1, {
          allow: false,
          decidedBy: "block_rule",
          reason: "bob blocks alice",
          code: 38001,
          callbackId: storedCallback("decided").id,
        });
        const answered = recordedDecision("decision-2", "bob", "alice", 2, { stage: "response", accepting: true, decidedBy: "endpoint" });
        const third = recordedDecision("decision-3", "carol", "dave", 3);
        await store.recordDecisions([denied, answered]);
        await store.recordDecisions([third, denied]);
        expect((await store.listDecisions()).decisions).toEqual([denied, answered, third]);
        const first = await store.listDecisions({ limit: 2 });
        expect(first.decisions).toEqual([denied, answered]);
        const second = await store.listDecisions({ after: first.next, limit: 2 });
        expect(second.decisions).toEqual([third]);
        expect((await store.listDecisions({ after: second.next })).decisions).toEqual([]);
        await expect(store.listDecisions({ after: "not-a-cursor" })).rejects.toMatchObject({ code: "invalid_payload" });
      });

      it("lists only the decisions of one provider, app or user (as actor or target)", async () => {
        const store = await open();
        const decisions = [
          recordedDecision("filter-1", "alice", "bob", 1),
          recordedDecision("filter-2", "bob", "carol", 2, { appId: "other#app" }),
          recordedDecision("filter-3", "carol", "alice", 3, { provider: "elsewhere" }),
          recordedDecision("filter-4", "dave", "erin", 4),
        ];
        await store.recordDecisions(decisions);
        const ids = async (options: Parameters<FriendEventStore["listDecisions"]>[0]) => (await store.listDecisions(options)).decisions.map((decision) => decision.id);
        expect(await ids({ user: "alice" })).toEqual(["filter-1", "filter-3"]);
        expect(await ids({ user: "bob", appId: "demo#app" })).toEqual(["filter-1"]);
        expect(await ids({ provider: "testkit", appId: "demo#app" })).toEqual(["filter-1", "filter-4"]);
        expect(await ids({ provider: "elsewhere", user: "alice" })).toEqual(["filter-3"]);
        expect(await ids({ user: "nobody" })).toEqual([]);
        const page = await store.listDecisions({ user: "carol", limit: 1 });
        expect(page.decisions.map((decision) => decision.id)).toEqual(["filter-2"]);
        expect(await ids({ user: "carol", after: page.next })).toEqual(["filter-3"]);
      });
    });

    describe("signature bindings", () => {
      it("refuses a second fingerprint for a bound key with signature_reused, and stores nothing of that append", async () => {
        const store = await open();
        const real = relationEvent("friend.added", "alice", "bob", 1, "bound-real");
        const forged = relationEvent("friend.added", "mallory", "alice", 2, "bound-forged");
        const otherView = relationEvent("friend.request.accepted", "bob", "alice", 1, "bound-other-view");
        await store.append({ events: [real], callback: storedCallback("real"), binding: binding("signed-1", "pair:alice,bob"), sinks: [sink] });

        const refusal = await refusalOf(store.append({ events: [forged], callback: storedCallback("forged"), binding: binding("signed-1", "pair:alice,mallory"), sinks: [sink] }));
        expect(refusal).toMatchObject({ code: "signature_reused", status: 401 });
        expect(ids((await store.listEvents()).events)).toEqual([real.id]);
        expect(await store.readCallback({ callbackId: storedCallback("forged").id })).toBeUndefined();
        expect(await store.readCallback({ eventId: forged.id })).toBeUndefined();
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start }))).toEqual([real.id]);
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "mallory" })).toEqual({ friends: [], blocked: [] });

        // A retry, and another view of the same action, carry the same fingerprint.
        expect(await store.append({ events: [real], callback: storedCallback("real"), binding: binding("signed-1", "pair:alice,bob"), sinks: [sink] })).toEqual({
          inserted: 0,
          duplicates: 1,
          callbackInserted: false,
        });
        expect(await store.append({ events: [real, otherView], callback: storedCallback("other view"), binding: binding("signed-1", "pair:alice,bob"), sinks: [sink] })).toEqual({
          inserted: 1,
          duplicates: 1,
          callbackInserted: true,
        });
        // Another key is bound apart; a key bound by an append of nothing else binds all the same.
        await store.append({ events: [forged], binding: binding("signed-2", "pair:alice,mallory"), sinks: [] });
        await store.append({ events: [], binding: binding("signed-3", "nothing kept"), sinks: [] });
        expect(await refusalOf(store.append({ events: [], binding: binding("signed-3", "something else"), sinks: [] }))).toMatchObject({ code: "signature_reused" });
      });

      it("lets exactly one of appends made at once with one key and two fingerprints win", async () => {
        const store = await open();
        for (let round = 0; round < 5; round += 1) {
          const candidates = ["first", "second"].map((name) => ({
            events: [relationEvent("friend.blocked", `user-${name}`, "victim", round, `race-${round}-${name}`)],
            callback: storedCallback(`race-${round}-${name}`),
            binding: binding(`race-${round}`, name),
            sinks: [sink],
          }));
          const settled = await Promise.allSettled(candidates.map((candidate) => store.append(candidate)));
          expect(settled.map((result) => result.status).sort(), `round ${round}`).toEqual(["fulfilled", "rejected"]);
          const rejected = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
          expect(rejected?.reason).toMatchObject({ code: "signature_reused" });
          const winner = candidates[settled.findIndex((result) => result.status === "fulfilled")];
          const loser = candidates.find((candidate) => candidate !== winner);
          expect(await store.readCallback({ eventId: winner?.events[0]?.id ?? "" })).toEqual(winner?.callback);
          expect(await store.readCallback({ callbackId: loser?.callback.id ?? "" })).toBeUndefined();
        }
        expect((await store.listEvents({ limit: 100 })).events).toHaveLength(5);
      });

      it("lets a binding go once it expired, and binds the key to the next fingerprint", async () => {
        const store = await open();
        const events = buildFriendEvents(3);
        await store.append({ events: events.slice(0, 1), binding: binding("stale", "first", Date.now() - 60_000), sinks: [] });
        expect((await store.append({ events: events.slice(1, 2), binding: binding("stale", "second"), sinks: [] })).inserted).toBe(1);
        expect(await refusalOf(store.append({ events: events.slice(2), binding: binding("stale", "first"), sinks: [] }))).toMatchObject({ code: "signature_reused" });
        expect(ids((await store.listEvents()).events)).toEqual(ids(events.slice(0, 2)));
      });
    });

    describe("text no store can keep", () => {
      it("refuses a NUL or an unpaired surrogate anywhere with invalid_payload, stores nothing of it, and stores the appends beside it", async () => {
        const store = await open();
        const request = (name: string, details: Record<string, unknown>, source: Record<string, unknown> = {}) =>
          relationEvent("friend.request.sent", "alice", "bob", 1, name, { details, source: { command: "roster:add", ...source } } as Partial<FriendEvent>);
        const kept = buildFriendEvents(3);
        const refused = [
          { events: [request("nul-message", { message: "hello\u0000there" })], sinks: [sink] },
          { events: [request("nul-source", {}, { host: "\u0000" })], sinks: [sink] },
          { events: [request("lone-high-surrogate", { remark: "half an emoji \ud83d" })], sinks: [sink] },
          { events: [request("lone-low-surrogate", { message: "\ude00 the other half" })], sinks: [sink] },
          { events: [request("nul-key", { ["na\u0000me"]: "value" })], sinks: [sink] },
          { events: [request("clean-event", {})], callback: { ...storedCallback("nul-body"), body: '{"operation":"add","name":"\u0000"}' }, sinks: [sink] },
          { events: [], callback: { ...unrecognizedCallback("nul-reason"), unrecognizedReason: "unknown \u0000" }, sinks: [sink] },
        ];
        const settled = await Promise.allSettled([
          store.append({ events: kept.slice(0, 1), sinks: [sink] }),
          ...refused.map((input) => store.append(input)),
          store.append({ events: kept.slice(1), callback: storedCallback("kept"), sinks: [sink] }),
        ]);
        expect(settled.map((result) => result.status)).toEqual(["fulfilled", ...refused.map(() => "rejected"), "fulfilled"]);
        for (const result of settled.slice(1, -1)) {
          expect((result as PromiseRejectedResult).reason).toMatchObject({ code: "invalid_payload", status: 400 });
        }
        expect((await store.listEvents()).events).toEqual(kept);
        expect((await store.listUnrecognized()).callbacks).toEqual([]);
        expect(await store.readCallback({ callbackId: storedCallback("nul-body").id })).toBeUndefined();
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start }))).toEqual(ids(kept));
      });

      it("keeps every other character exactly: controls, escapes, surrogate pairs, the last code points", async () => {
        const store = await open();
        const text = 'tab\t line\n quote" backslash\\ literal \\u0000 controls \u0001\u001f\u007f\u0085 emoji \ud83d\ude00 \u2028\u2029 \ufeff\uffff 中文';
        const event = relationEvent("friend.request.sent", "alice", "bob", 1, "every-character", {
          details: { message: text, remark: text },
          source: { command: "roster:add", host: text },
        } as Partial<FriendEvent>);
        const callback = { ...storedCallback("every-character"), body: JSON.stringify({ text }) + text };
        await store.append({ events: [event], callback, sinks: [sink] });
        expect((await store.listEvents()).events).toEqual([event]);
        expect(await store.readCallback({ eventId: event.id })).toEqual(callback);
        const [delivery] = await store.claimDeliveries({ sink, limit: 1, leaseMs: 1000, now: start });
        expect(delivery?.event).toEqual(event);
      });
    });

    describe("friend table", () => {
      it("applies relationship events and nothing else", async () => {
        const store = await open();
        await store.append({
          events: [
            relationEvent("friend.added", "alice", "bob", 1, "added"),
            relationEvent("friend.added", "alice", "carol", 2, "added-carol", { mutual: false }),
            relationEvent("friend.blocked", "alice", "mallory", 3, "blocked"),
            relationEvent("friend.request.sent", "alice", "dave", 4, "request"),
            relationEvent("friend.operation.failed", "alice", "erin", 5, "failed"),
          ],
          sinks: [],
        });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "alice" })).toEqual({ friends: ["bob", "carol"], blocked: ["mallory"] });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "carol" })).toEqual({ friends: [], blocked: [] });
        expect(await store.friendsOf({ provider: "testkit", appId: "other#app", userId: "alice" })).toEqual({ friends: [], blocked: [] });
        expect(await store.friendsOf({ provider: "other", appId: "demo#app", userId: "alice" })).toEqual({ friends: [], blocked: [] });
      });

      it("keeps a removal that arrived before an addition clearly older than it (a tombstone)", async () => {
        const store = await open();
        await store.append({ events: [relationEvent("friend.removed", "bob", "alice", 60, "removed")], sinks: [] });
        await store.append({ events: [relationEvent("friend.added", "alice", "bob", 5, "added")], sinks: [] });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "alice" })).toEqual({ friends: [], blocked: [] });
        await store.append({ events: [relationEvent("friend.added", "alice", "bob", 90, "added-again")], sinks: [] });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
      });

      it("orders changes its times cannot tell apart by arrival", async () => {
        const store = await open();
        // Within the ordering windows of each other (a second apart): the later arrival wins, whichever time is greater.
        const added = relationEvent("friend.added", "alice", "bob", 7, "close-added");
        const removed = relationEvent("friend.removed", "alice", "bob", 8, "close-removed");
        await store.append({ events: [removed, added], sinks: [] });
        const reversed = await open();
        await reversed.append({ events: [added], sinks: [] });
        await reversed.append({ events: [removed], sinks: [] });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "alice" })).toEqual({ friends: ["bob"], blocked: [] });
        expect(await reversed.friendsOf({ provider: "testkit", appId: "demo#app", userId: "alice" })).toEqual({ friends: [], blocked: [] });
      });

      it("holds the rule's table for the stored order, whatever the arrival order and however many duplicates", async () => {
        const users = ["alice", "bob", "carol", "dave"];
        const types = ["friend.added", "friend.removed", "friend.blocked", "friend.unblocked"] as const;
        const events: FriendEvent[] = [];
        for (let index = 0; index < 48; index += 1) {
          const actor = users[index % users.length] as string;
          const target = users[(index * 7 + 1) % users.length] as string;
          if (actor === target) continue;
          const type = types[(index * 5) % types.length] as (typeof types)[number];
          // Some a second apart (arrival decides between them), some far apart (their times do).
          events.push(relationEvent(type, actor, target, (index % 9) * 4, `converge-${index}`, { mutual: index % 3 === 0 }));
        }
        for (const seed of [1, 2, 3]) {
          const store = await open();
          const delivered = shuffled([...events, ...events.slice(0, 12 * seed)], seed);
          for (let index = 0; index < delivered.length; index += 5) await store.append({ events: delivered.slice(index, index + 5), sinks: [] });
          const reference = createFriendTable();
          for (const event of (await store.listEvents({ limit: 1000 })).events) reference.apply(event);
          for (const userId of users) {
            expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId }), `seed ${seed}, user ${userId}`).toEqual(
              reference.friendsOf({ provider: "testkit", appId: "demo#app", userId }),
            );
          }
        }
      });
    });

    describe("prune", () => {
      const minute = 60_000;
      /** Prunes nothing unless told: every instant at the beginning of time. */
      const nothing = { eventsReceivedBefore: 0, deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 100 };
      const deliverAll = async (store: FriendEventStore, sinkName: string, eventIds: readonly string[]) => {
        const claimed = await store.claimDeliveries({ sink: sinkName, limit: 100, leaseMs: 1000, now: start });
        const chosen = claimed.filter((delivery) => eventIds.includes(delivery.event.id)).map((delivery) => delivery.deliveryId);
        await store.completeDeliveries({ deliveryIds: chosen });
        // The rest were only leased: make them claimable again for the next call.
        await store.failDeliveries({
          failures: claimed.filter((delivery) => !chosen.includes(delivery.deliveryId)).map((delivery) => ({ deliveryId: delivery.deliveryId, error: "later", retryAt: 0 })),
          now: start,
        });
      };

      it("removes old events every sink has, keeps those a sink still waits for or holds as a dead letter, and those younger", async () => {
        const store = await open();
        const [delivered, waiting, dead, young] = [
          relationEvent("friend.added", "alice", "bob", 1, "prune-delivered"),
          relationEvent("friend.added", "carol", "dave", 2, "prune-waiting"),
          relationEvent("friend.added", "erin", "frank", 3, "prune-dead"),
          relationEvent("friend.added", "grace", "heidi", 600, "prune-young"),
        ] as [FriendEvent, FriendEvent, FriendEvent, FriendEvent];
        await store.append({ events: [delivered, waiting, dead, young], sinks: [sink, otherSink] });
        await deliverAll(store, sink, [delivered.id, waiting.id, young.id]);
        await deliverAll(store, otherSink, [delivered.id, dead.id, young.id]);
        const [deadDelivery] = (await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start })).filter((delivery) => delivery.event.id === dead.id);
        await store.failDeliveries({ failures: [{ deliveryId: deadDelivery?.deliveryId ?? "", error: "refused", deadLetter: true }], now: start + 5 * minute });
        expect((await store.measure()).events).toBe(4);

        const retention = { ...nothing, eventsReceivedBefore: start + 5 * minute };
        expect(await store.prune(retention)).toEqual({ events: 1, deadLetters: 0, callbacks: 0, tombstones: 0, decisions: 0 });
        expect(ids((await store.listEvents()).events)).toEqual([waiting.id, dead.id, young.id]);
        expect((await store.measure()).events).toBe(3);
        // The dead letter stays until its own retention, which does not reach it yet; then it goes, and its event with it.
        expect(await store.prune({ ...retention, deadLettersBefore: start + 5 * minute })).toEqual({ events: 0, deadLetters: 0, callbacks: 0, tombstones: 0, decisions: 0 });
        expect(ids((await store.listDeadLetters()).deadLetters)).toEqual([dead.id]);
        expect(await store.prune({ ...retention, deadLettersBefore: start + 5 * minute + 1 })).toEqual({ events: 1, deadLetters: 1, callbacks: 0, tombstones: 0, decisions: 0 });
        expect((await store.listDeadLetters()).deadLetters).toEqual([]);
        // The event the second sink still waits for goes once that sink has it.
        await deliverAll(store, otherSink, [waiting.id]);
        expect(await store.prune(retention)).toEqual({ events: 1, deadLetters: 0, callbacks: 0, tombstones: 0, decisions: 0 });
        expect(ids((await store.listEvents()).events)).toEqual([young.id]);
        expect(await store.countDeliveries()).toEqual([]);
        // An event pruned is forgotten: appended again, it is stored again (the receiver keeps events
        // at least as long as its deduplication window, so that a retry is never the case).
        expect(await store.append({ events: [delivered], sinks: [] })).toEqual({ inserted: 1, duplicates: 0, callbackInserted: false });
      });

      it("replays a dead letter instead of pruning it when asked before its retention ends", async () => {
        const store = await open();
        const event = relationEvent("friend.added", "alice", "bob", 1, "prune-replayed");
        await store.append({ events: [event], sinks: [sink] });
        const [delivery] = await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start });
        await store.failDeliveries({ failures: [{ deliveryId: delivery?.deliveryId ?? "", error: "refused", deadLetter: true }], now: start });
        expect(await store.replayDeadLetters({ now: start })).toBe(1);
        expect(await store.prune({ ...nothing, eventsReceivedBefore: start + minute, deadLettersBefore: start + minute })).toEqual({
          events: 0,
          deadLetters: 0,
          callbacks: 0,
          tombstones: 0,
          decisions: 0,
        });
        expect(ids(await store.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start }))).toEqual([event.id]);
      });

      it("removes at most a batch per call, oldest first", async () => {
        const store = await open();
        const events = [5, 1, 4, 2, 3].map((second) => relationEvent("friend.added", `user-${second}`, "target", second, `prune-batch-${second}`));
        await store.append({ events, sinks: [] });
        const retention = { ...nothing, eventsReceivedBefore: start + minute, batchSize: 2 };
        expect((await store.prune(retention)).events).toBe(2);
        expect((await store.listEvents()).events.map((event) => event.actor)).toEqual(["user-5", "user-4", "user-3"]);
        expect((await store.prune(retention)).events).toBe(2);
        expect((await store.prune(retention)).events).toBe(1);
        expect((await store.prune(retention)).events).toBe(0);
        expect((await store.measure()).events).toBe(0);
      });

      it("removes old unrecognized callbacks, and recognized ones once no stored event links to them", async () => {
        const store = await open();
        const old = unrecognizedCallback("prune-old");
        const young = { ...unrecognizedCallback("prune-young"), receivedAt: new Date(start + 10 * minute).toISOString() };
        const recognized = storedCallback("prune-recognized");
        const event = relationEvent("friend.added", "alice", "bob", 1, "prune-linked");
        await store.append({ events: [], callback: old, sinks: [] });
        await store.append({ events: [], callback: young, sinks: [] });
        await store.append({ events: [event], callback: recognized, sinks: [sink] });
        const retention = { ...nothing, callbacksReceivedBefore: start + 5 * minute, eventsReceivedBefore: start + 5 * minute };
        expect(await store.prune(retention)).toEqual({ events: 0, deadLetters: 0, callbacks: 1, tombstones: 0, decisions: 0 });
        expect((await store.listUnrecognized()).callbacks).toEqual([young]);
        expect(await store.readCallback({ eventId: event.id })).toEqual(recognized);
        await deliverAll(store, sink, [event.id]);
        expect(await store.prune(retention)).toEqual({ events: 1, deadLetters: 0, callbacks: 1, tombstones: 0, decisions: 0 });
        expect(await store.readCallback({ callbackId: recognized.id })).toBeUndefined();
        expect((await store.listUnrecognized()).callbacks).toEqual([young]);
      });

      it("removes decisions decided before the cutoff, oldest first, a batch at a time, and none when no cutoff is given", async () => {
        const store = await open();
        const decisions = [1, 2, 3, 20].map((minutes, index) => recordedDecision(`prune-decision-${index}`, "alice", "bob", minutes * 60));
        await store.recordDecisions([decisions[3], decisions[2], decisions[0], decisions[1]].filter((decision) => decision !== undefined));
        expect((await store.prune(nothing)).decisions).toBe(0);
        expect(await store.prune({ ...nothing, decisionsBefore: start + 10 * minute, batchSize: 2 })).toEqual({ events: 0, deadLetters: 0, callbacks: 0, tombstones: 0, decisions: 2 });
        expect((await store.listDecisions()).decisions.map((decision) => decision.id)).toEqual(["prune-decision-3", "prune-decision-2"]);
        expect((await store.prune({ ...nothing, decisionsBefore: start + 10 * minute })).decisions).toBe(1);
        expect((await store.listDecisions()).decisions.map((decision) => decision.id)).toEqual(["prune-decision-3"]);
      });

            it("compacts old tombstones only: the friend table reads the same, and decides the same for every change newer than the cutoff", async () => {
        const changes = [
          relationEvent("friend.added", "alice", "bob", 1, "tomb-added"),
          relationEvent("friend.removed", "alice", "bob", 20, "tomb-removed"),
          relationEvent("friend.blocked", "alice", "mallory", 30, "tomb-blocked"),
          relationEvent("friend.added", "carol", "dave", 40, "tomb-kept"),
          relationEvent("friend.removed", "erin", "frank", 300, "tomb-young"),
        ];
        const cutoff = start + 120_000;
        // Late arrivals whose windows end after the cutoff: each must decide as it would have without compaction.
        const late = [
          relationEvent("friend.added", "alice", "bob", 126, "late-added"),
          relationEvent("friend.added", "frank", "erin", 200, "late-older-than-young-tombstone"),
          relationEvent("friend.unblocked", "alice", "mallory", 126, "late-unblocked"),
        ];
        const compacted = await open();
        const reference = await open();
        for (const store of [compacted, reference]) await store.append({ events: changes, sinks: [] });
        // alice→bob and bob→alice are tombstones older than the cutoff; erin↔frank are younger; the rest hold.
        expect(await compacted.prune({ ...nothing, tombstonesBefore: cutoff })).toEqual({ events: 0, deadLetters: 0, callbacks: 0, tombstones: 2, decisions: 0 });
        expect(await compacted.prune({ ...nothing, tombstonesBefore: cutoff })).toEqual({ events: 0, deadLetters: 0, callbacks: 0, tombstones: 0, decisions: 0 });
        const users = ["alice", "bob", "carol", "dave", "erin", "frank", "mallory"];
        const tables = async (store: FriendEventStore) => Promise.all(users.map((userId) => store.friendsOf({ provider: "testkit", appId: "demo#app", userId })));
        expect(await tables(compacted)).toEqual(await tables(reference));
        for (const event of late) {
          for (const store of [compacted, reference]) await store.append({ events: [event], sinks: [] });
          expect(await tables(compacted), event.id).toEqual(await tables(reference));
        }
        expect(await compacted.friendsOf({ provider: "testkit", appId: "demo#app", userId: "alice" })).toEqual({ friends: ["bob"], blocked: [] });
      });
    });

    describe("inspection", () => {
      it("lists a user's events, as actor or target, in stored order, a page at a time", async () => {
        const store = await open();
        const events = [
          relationEvent("friend.request.sent", "alice", "bob", 1, "user-1"),
          relationEvent("friend.added", "carol", "dave", 2, "user-2"),
          relationEvent("friend.added", "bob", "alice", 3, "user-3"),
          relationEvent("friend.blocked", "alice", "alice", 4, "user-4", { mutual: false }),
          relationEvent("friend.blocked", "alice", "mallory", 5, "user-5", { appId: "other#app" }),
          relationEvent("friend.removed", "alice", "carol", 6, "user-6"),
        ];
        for (const event of events) await store.append({ events: [event], sinks: [] });
        const alice = { provider: "testkit", appId: "demo#app", userId: "alice" };
        const expected = ids([events[0], events[2], events[3], events[5]] as FriendEvent[]);
        expect(ids((await store.listUserEvents(alice)).events)).toEqual(expected);
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = await store.listUserEvents({ ...alice, limit: 3 }); page.events.length > 0; page = await store.listUserEvents({ ...alice, after, limit: 3 })) {
          seen.push(...ids(page.events));
          after = page.next;
        }
        expect(seen).toEqual(expected);
        // A cursor from the user's page continues after the event it names, whatever other events follow it.
        const firstTwo = await store.listUserEvents({ ...alice, limit: 2 });
        expect(ids((await store.listUserEvents({ ...alice, after: firstTwo.next })).events)).toEqual(expected.slice(2));
        expect(ids((await store.listUserEvents({ ...alice, appId: "other#app" })).events)).toEqual([events[4]?.id]);
        expect((await store.listUserEvents({ ...alice, userId: "nobody" })).events).toEqual([]);
        await expect(store.listUserEvents({ ...alice, after: "not-a-cursor" })).rejects.toMatchObject({ code: "invalid_payload" });
      });

      it("lists the last stored events, and a cursor that continues after them", async () => {
        const store = await open();
        expect(await store.listLatestEvents({ limit: 3 })).toEqual({ events: [], next: undefined });
        const events = buildFriendEvents(8);
        await store.append({ events: events.slice(0, 5), sinks: [] });
        const latest = await store.listLatestEvents({ limit: 3 });
        expect(ids(latest.events)).toEqual(ids(events.slice(2, 5)));
        expect(ids((await store.listLatestEvents({ limit: 100 })).events)).toEqual(ids(events.slice(0, 5)));
        await store.append({ events: events.slice(5), sinks: [] });
        expect(ids((await store.listEvents({ after: latest.next })).events)).toEqual(ids(events.slice(5)));
      });

      it("describes each sink's deliveries: pending, retrying, dead-lettered, failed attempts, the oldest pending", async () => {
        const store = await open();
        const events = buildFriendEvents(4);
        await store.append({ events, sinks: [sink, otherSink] });
        const claimed = await store.claimDeliveries({ sink, limit: 4, leaseMs: 1000, now: start });
        await store.completeDeliveries({ deliveryIds: [claimed[0]?.deliveryId ?? ""] });
        await store.failDeliveries({
          failures: [
            { deliveryId: claimed[1]?.deliveryId ?? "", error: "down", retryAt: start + 1000 },
            { deliveryId: claimed[2]?.deliveryId ?? "", error: "refused", deadLetter: true },
          ],
          now: start,
        });
        const retried = await store.claimDeliveries({ sink, limit: 1, leaseMs: 1000, now: start + 1000 });
        await store.failDeliveries({ failures: [{ deliveryId: retried[0]?.deliveryId ?? "", error: "down", retryAt: start + 5000 }], now: start + 1000 });
        expect(await store.deliveryStatistics({ sinks: [sink, otherSink, "unused"] })).toEqual([
          { sink, pending: 2, retrying: 1, deadLettered: 1, failedAttempts: 3, oldestPendingReceivedAt: events[1]?.receivedAt },
          { sink: otherSink, pending: 4, retrying: 0, deadLettered: 0, failedAttempts: 0, oldestPendingReceivedAt: events[0]?.receivedAt },
          { sink: "unused", pending: 0, retrying: 0, deadLettered: 0, failedAttempts: 0, oldestPendingReceivedAt: undefined },
        ]);
      });

      it("counts events stored and deliveries completed per second, by its clock, over the last hour", async () => {
        const store = await open();
        const before = Date.now();
        await store.append({ events: buildFriendEvents(3), sinks: [sink, otherSink] });
        await store.append({ events: buildFriendEvents(5), sinks: [sink, otherSink] });
        const claimed = await store.claimDeliveries({ sink, limit: 2, leaseMs: 1000, now: start });
        await store.completeDeliveries({ deliveryIds: claimed.map((delivery) => delivery.deliveryId) });
        await store.completeDeliveries({ deliveryIds: claimed.map((delivery) => delivery.deliveryId) });
        const after = Date.now();
        const activity = await store.activity({ since: before - 3_600_000 });
        const total = (seconds: ReadonlyArray<{ second: number; count: number }>) => seconds.reduce((sum, entry) => sum + entry.count, 0);
        expect(total(activity.stored)).toBe(5);
        expect(activity.delivered.map((entry) => [entry.sink, total(entry.seconds)])).toEqual([[sink, 2]]);
        for (const entry of [...activity.stored, ...(activity.delivered[0]?.seconds ?? [])]) {
          expect(entry.second).toBeGreaterThanOrEqual(Math.floor(before / 1000));
          expect(entry.second).toBeLessThanOrEqual(Math.floor(after / 1000));
        }
        expect(await store.activity({ since: after + 2000 })).toEqual({ stored: [], delivered: [] });
      });
    });

    if (options.reopenStore) {
      const reopenStore = options.reopenStore;
      it("keeps events, deliveries, dead letters, callbacks, bindings, decisions and the friend table across a restart", async () => {
        const store = await open();
        const events = [relationEvent("friend.added", "alice", "bob", 1, "durable-1"), relationEvent("friend.blocked", "carol", "dave", 2, "durable-2")];
        await store.append({ events, callback: storedCallback("durable"), binding: binding("durable", "first"), sinks: [sink] });
        await store.append({ events: [], callback: unrecognizedCallback("durable"), sinks: [sink] });
        await store.recordDecisions([recordedDecision("durable-decision", "alice", "bob", 3, { allow: false, decidedBy: "endpoint", reason: "not now" })]);
        const [leased, failed] = await store.claimDeliveries({ sink, limit: 10, leaseMs: 60_000, now: start });
        await store.failDeliveries({ failures: [{ deliveryId: failed?.deliveryId ?? "", error: "gone", deadLetter: true }], now: start });
        await store.close();
        opened = opened.filter((candidate) => candidate !== store);
        const reopened = await reopenStore(store);
        opened.push(reopened);
        expect((await reopened.listEvents()).events).toEqual(events);
        expect((await reopened.listUnrecognized()).callbacks).toEqual([unrecognizedCallback("durable")]);
        expect((await reopened.listDecisions()).decisions).toEqual([recordedDecision("durable-decision", "alice", "bob", 3, { allow: false, decidedBy: "endpoint", reason: "not now" })]);
        expect(await reopened.readCallback({ eventId: events[1]?.id ?? "" })).toEqual(storedCallback("durable"));
        expect(await refusalOf(reopened.append({ events: [], binding: binding("durable", "second"), sinks: [] }))).toMatchObject({ code: "signature_reused" });
        expect(ids((await reopened.listDeadLetters()).deadLetters)).toEqual([events[1]?.id]);
        expect(await reopened.friendsOf({ provider: "testkit", appId: "demo#app", userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
        expect(await reopened.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 59_999 })).toEqual([]);
        expect(ids(await reopened.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start + 60_000 }))).toEqual([leased?.event.id]);
        expect(await reopened.append({ events, sinks: [sink] })).toEqual({ inserted: 0, duplicates: 2, callbackInserted: false });
      });

      it("resumes a backfill across a restart where it stopped", async () => {
        const store = await open();
        const events = buildFriendEvents(3);
        await store.append({ events, sinks: [] });
        await store.beginBackfill({ sink, name: "from=earliest" });
        expect(await store.continueBackfill({ sink, limit: 2 })).toEqual({ enqueued: 2, finished: false });
        await store.close();
        opened = opened.filter((candidate) => candidate !== store);
        const reopened = await reopenStore(store);
        opened.push(reopened);
        expect(await reopened.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start })).toEqual([]);
        expect((await reopened.beginBackfill({ sink, name: "from=earliest" })).enqueued).toBe(2);
        expect(await reopened.continueBackfill({ sink, limit: 2 })).toEqual({ enqueued: 1, finished: true });
        expect(ids(await reopened.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: start }))).toEqual(ids(events));
      });
    }
  });
}
