import {
  createMemorySink,
  createMemoryStore,
  deliveryOrderKey,
  type FriendEvent,
  type FriendEventSink,
  type FriendEventStore,
  SinkError,
} from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createReadApi, createReceiver, type DeliveryAttemptedInfo, type DeliveryOptions } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, relationEvent } from "./support";

const opened = closeReceiversAfterEach();

/**
 * Stores `events` first, then starts delivery, so that the worker claims them together (one batch
 * unless `batchSize` says otherwise).
 */
async function deliverStored(sink: FriendEventSink, events: readonly FriendEvent[], delivery: DeliveryOptions = {}, now?: () => number) {
  const store: FriendEventStore = createMemoryStore();
  await store.append({ events, sinks: [sink.name] });
  const attempts: DeliveryAttemptedInfo[] = [];
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    store,
    sinks: [sink],
    delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20, leaseMs: 120_000, ...delivery },
    observer: { deliveryAttempted: (info) => attempts.push(info) },
    ...(now === undefined ? {} : { now }),
  });
  opened.push(receiver);
  receiver.start();
  const read = createReadApi({ store, receiver });
  const settled = async () => (await read.deliveryCounts()).every((count) => count.pending === 0);
  return { receiver, attempts, settled, read };
}

/** A sink that stores all or nothing, as a database transaction does: a batch holding a refused event fails whole. */
function allOrNothingSink(refuse: (event: FriendEvent) => Error | undefined) {
  const stored: FriendEvent[] = [];
  const batches: Array<{ ids: string[]; stored: boolean }> = [];
  const sink: FriendEventSink = {
    name: "all-or-nothing",
    idempotent: true,
    async deliver(events) {
      const error = events.map(refuse).find((each) => each !== undefined);
      batches.push({ ids: events.map((event) => event.id), stored: error === undefined });
      if (error) throw error;
      for (const event of events) if (!stored.some((each) => each.id === event.id)) stored.push(event);
    },
  };
  return { sink, stored, batches };
}

const pairs = ["bob", "carol", "dave", "erin", "frank"];
/** One event per pair alice–X, at seconds 1…5. */
const onePerPair = () => pairs.map((other, index) => relationEvent("friend.added", "alice", other, index + 1, `pair-${other}`));
const idsOf = (events: readonly FriendEvent[]) => events.map((event) => event.id);

describe("one bad event does not take its batch down", () => {
  it("dead-letters only the event a sink refuses permanently; the rest of the batch is delivered", async () => {
    const events = onePerPair();
    const poison = events[2] as FriendEvent;
    const { sink, stored } = allOrNothingSink((event) =>
      event.id === poison.id ? new SinkError("a data exception: the event cannot be stored", { permanent: true }) : undefined,
    );
    const { receiver, read, settled } = await deliverStored(sink, events);
    await eventually(settled, "nothing is pending");
    expect(idsOf(stored)).toEqual(idsOf(events.filter((event) => event !== poison)));
    const { deadLetters } = await read.deadLetters();
    expect(deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[poison.id, 1]]);
    expect(deadLetters[0]?.lastError).toContain("data exception");
  });

  it("charges an attempt only to the event that fails: the others are never dead-lettered with it", async () => {
    const events = onePerPair();
    const poison = events[0] as FriendEvent;
    // A transient-looking refusal (say a 500 for this one body), every time: only the poison runs out of attempts.
    const { sink, stored } = allOrNothingSink((event) => (event.id === poison.id ? new Error("500 Internal Server Error") : undefined));
    const { receiver, read, settled } = await deliverStored(sink, events, { maximumAttempts: 2 });
    await eventually(settled, "nothing is pending");
    expect(idsOf(stored)).toEqual(idsOf(events.slice(1)));
    const { deadLetters } = await read.deadLetters();
    expect(deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[poison.id, 2]]);
  });

  it("holds back the later events of a failed event's pair, uncharged, and delivers them in order once it is settled", async () => {
    const first = relationEvent("friend.added", "alice", "bob", 1, "first");
    const others = [relationEvent("friend.added", "carol", "dave", 2, "other-1"), relationEvent("friend.blocked", "erin", "frank", 3, "other-2")];
    const later = [relationEvent("friend.removed", "bob", "alice", 4, "later-1"), relationEvent("friend.added", "alice", "bob", 5, "later-2")];
    const events = [first, others[0], later[0], others[1], later[1]] as FriendEvent[];
    const { sink, stored, batches } = allOrNothingSink((event) => (event.id === first.id ? new Error("503 Service Unavailable") : undefined));
    // One attempt allowed: the first event is dead-lettered at its first failure. Had the later
    // events of its pair been charged for it, they would be dead-lettered with it.
    const { receiver, read, settled } = await deliverStored(sink, events, { maximumAttempts: 1 });
    await eventually(settled, "nothing is pending");
    expect((await read.deadLetters()).deadLetters.map((deadLetter) => deadLetter.event.id)).toEqual([first.id]);
    expect(new Set(idsOf(stored))).toEqual(new Set(idsOf([...others, ...later])));
    // The pair's later events reach the sink in stored order, never before the failed one was settled.
    expect(idsOf(stored.filter((event) => deliveryOrderKey(event) === deliveryOrderKey(first)))).toEqual(idsOf(later));
    const firstFailed = batches.findIndex((batch) => batch.ids.length === 1 && batch.ids[0] === first.id);
    const laterSent = batches.findIndex((batch) => batch.stored && batch.ids.includes(later[0]?.id as string));
    expect(firstFailed).toBeGreaterThanOrEqual(0);
    expect(laterSent).toBeGreaterThan(firstFailed);
  });

  it("never holds back other pairs behind a failing event, and lets the held pair go as soon as its event is delivered", async () => {
    const sink = createMemorySink();
    const first = relationEvent("friend.added", "alice", "bob", 1, "first");
    const later = relationEvent("friend.removed", "alice", "bob", 2, "later");
    const other = relationEvent("friend.added", "carol", "dave", 3, "other");
    let refusing = true;
    sink.refuseEvents((event) => (refusing && event.id === first.id ? new SinkError("429 Too Many Requests") : undefined));
    const { receiver, read, attempts } = await deliverStored(sink, [first, later, other], { maximumAttempts: 1000 });
    await eventually(() => sink.events.some((event) => event.id === other.id), "the other pair is delivered");
    await eventually(() => attempts.filter((attempt) => !attempt.succeeded).length >= 2, "the failing event was retried");
    expect(idsOf(sink.events)).toEqual([other.id]);
    refusing = false;
    // Well within the lease (120 s): the held event goes with its pair's retry, not when its lease runs out.
    await eventually(() => sink.events.length === 3, "the held pair is delivered");
    expect(idsOf(sink.events)).toEqual([other.id, first.id, later.id]);
    expect((await read.deadLetters()).deadLetters).toEqual([]);
    // The sink reported the later event not attempted: it was handed over again, never charged.
    expect(attempts.every((attempt) => attempt.deadLettered === 0)).toBe(true);
  });

  it("reports each call to the observer, with how many of its events were stored", async () => {
    const events = onePerPair();
    const poison = events[4] as FriendEvent;
    const { sink } = allOrNothingSink((event) => (event.id === poison.id ? new SinkError("413 Content Too Large", { permanent: true }) : undefined));
    const { attempts, settled } = await deliverStored(sink, events);
    await eventually(settled, "nothing is pending");
    // The observer hears of a call after its outcome is recorded: wait for the report of the last one.
    await eventually(() => attempts.some((attempt) => attempt.deadLettered > 0), "the observer heard of the dead letter");
    expect(attempts[0]).toMatchObject({ events: 5, succeeded: false, delivered: 0, deadLettered: 0 });
    expect(attempts.reduce((total, attempt) => total + attempt.delivered, 0)).toBe(4);
    expect(attempts.reduce((total, attempt) => total + attempt.deadLettered, 0)).toBe(1);
    expect(attempts.at(-1)).toMatchObject({ events: 1, succeeded: false, delivered: 0, deadLettered: 1 });
  });

  it("does not hammer a sink that fails everything: a few calls, then every event of the batch is charged", async () => {
    const events = Array.from({ length: 64 }, (_, index) => relationEvent("friend.added", `user-${index}`, "zed", index, `outage-${index}`));
    const sink = createMemorySink();
    sink.failWith(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    const { receiver, read, attempts } = await deliverStored(sink, events, { maximumAttempts: 1 });
    await eventually(async () => (await read.deadLetters({ limit: 1000 })).deadLetters.length === 64, "every event is dead-lettered");
    const deadLetteredInReports = () => attempts.reduce((total, attempt) => total + attempt.deadLettered, 0);
    await eventually(() => deadLetteredInReports() === 64, "the observer heard of every dead letter");
    // Halving 64 down to one event takes 7 calls, then two more single events fail: far fewer calls than events.
    expect(attempts.length).toBeLessThanOrEqual(12);
  });

  it("never dead-letters an event for a permanent failure that was not its own, even when the sink then goes down", async () => {
    const events = Array.from({ length: 8 }, (_, index) => relationEvent("friend.added", `user-${index}`, "zed", index, `mixed-${index}`));
    const poison = events[0] as FriendEvent;
    let down = true;
    const stored: FriendEvent[] = [];
    const sink: FriendEventSink = {
      name: "all-or-nothing",
      idempotent: true,
      async deliver(batch) {
        if (batch.includes(poison)) throw new SinkError("a data exception", { permanent: true });
        if (down) throw new Error("connect ECONNREFUSED");
        stored.push(...batch);
      },
    };
    const { receiver, read, attempts } = await deliverStored(sink, events);
    // The poison is found and dead-lettered; then three events fail alone and the round stops.
    await eventually(() => attempts.filter((attempt) => attempt.events === 1 && attempt.errorMessage?.includes("ECONNREFUSED")).length >= 3, "the sink looks down");
    expect((await read.deadLetters()).deadLetters.map((deadLetter) => deadLetter.event.id)).toEqual([poison.id]);
    down = false;
    await eventually(() => stored.length === 7, "the others are delivered once the sink is back");
    expect((await read.deadLetters()).deadLetters.map((deadLetter) => deadLetter.event.id)).toEqual([poison.id]);
  });

  it("stops splitting when the sink asks to wait, and waits as asked for every event of the call", async () => {
    let clock = Date.UTC(2024, 0, 1);
    const events = onePerPair();
    const sink = createMemorySink();
    sink.failWith(new SinkError("429 Too Many Requests", { retryAfterMs: 30_000 }));
    const { attempts } = await deliverStored(sink, events, { maximumBackoffMs: 60_000 }, () => clock);
    await eventually(() => attempts.length === 1, "the first call failed");
    sink.failWith(undefined);
    clock += 29_999;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts).toHaveLength(1);
    clock += 1;
    await eventually(() => sink.events.length === 5, "the retry delivered every event");
  });
});

describe("a sink's requested wait is capped", () => {
  for (const retryAfterMs of [Number.POSITIVE_INFINITY, 1e300, Number.MAX_SAFE_INTEGER]) {
    it(`retries after at most maximumBackoffMs when a sink asks for ${retryAfterMs} ms, and so still dead-letters`, async () => {
      let clock = Date.UTC(2024, 0, 1);
      const sink = createMemorySink();
      sink.failWith(new SinkError("503 Service Unavailable", { retryAfterMs }));
      const { receiver, read, attempts } = await deliverStored(sink, onePerPair().slice(0, 1), { maximumAttempts: 2, maximumBackoffMs: 60_000 }, () => clock);
      await eventually(() => attempts.length === 1, "the first attempt failed");
      clock += 60_000;
      await eventually(async () => (await read.deadLetters()).deadLetters.length === 1, "the delivery is dead-lettered");
      expect(attempts).toHaveLength(2);
    });
  }
});
