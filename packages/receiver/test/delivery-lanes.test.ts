import {
  createMemoryStore,
  deliveryOrderKey,
  type FriendEvent,
  type FriendEventSink,
  SinkError,
} from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { deliverRound, type LeasedDelivery, type RoundHalt } from "../src/delivery/delivery-round";
import { splitIntoLanes } from "../src/delivery/delivery-lanes";
import { createReadApi, createReceiver, type DeliveryAttemptedInfo, type DeliveryOptions } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, relationEvent } from "./support";

const opened = closeReceiversAfterEach();

/** `count` events over `pairCount` user pairs, the pairs interleaved as a backlog stores them. */
function interleavedEvents(count: number, pairCount: number): FriendEvent[] {
  const types = ["friend.added", "friend.removed"] as const;
  return Array.from({ length: count }, (_, index) =>
    relationEvent(types[Math.floor(index / pairCount) % 2] as FriendEvent["type"], `user-${index % pairCount}`, `other-${index % pairCount}`, index + 1, `event-${index}`),
  );
}

/**
 * A sink that records its calls, lets each take a turn of the event loop or several, and refuses
 * what `refuse` says (the whole call, as a transaction would). It notes how many calls were in
 * flight at once, and whether two calls in flight ever held the same user pair.
 */
function recordingSink(refuse: (event: FriendEvent) => Error | undefined = () => undefined) {
  const stored: FriendEvent[] = [];
  const inFlight = new Set<string>();
  let calls = 0;
  let mostInFlight = 0;
  let concurrentCalls = 0;
  let pairInTwoCalls = false;
  const sink: FriendEventSink = {
    name: "recording",
    idempotent: true,
    async deliver(events) {
      calls += 1;
      concurrentCalls += 1;
      mostInFlight = Math.max(mostInFlight, concurrentCalls);
      const keys = [...new Set(events.map(deliveryOrderKey))];
      if (keys.some((key) => inFlight.has(key))) pairInTwoCalls = true;
      for (const key of keys) inFlight.add(key);
      try {
        // Calls finish in another order than they started.
        for (let turn = 0; turn < (calls % 3) + 1; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        const error = events.map(refuse).find((each) => each !== undefined);
        if (error) throw error;
        for (const event of events) if (!stored.some((each) => each.id === event.id)) stored.push(event);
      } finally {
        concurrentCalls -= 1;
        for (const key of keys) inFlight.delete(key);
      }
    },
  };
  return {
    sink,
    stored,
    calls: () => calls,
    mostInFlight: () => mostInFlight,
    pairInTwoCalls: () => pairInTwoCalls,
  };
}

async function deliverStored(sink: FriendEventSink, events: readonly FriendEvent[], delivery: DeliveryOptions) {
  const store = createMemoryStore();
  await store.append({ events, sinks: [sink.name] });
  const attempts: DeliveryAttemptedInfo[] = [];
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    store,
    sinks: [sink],
    delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20, leaseMs: 120_000, ...delivery },
    observer: { deliveryAttempted: (info) => attempts.push(info) },
  });
  opened.push(receiver);
  receiver.start();
  const read = createReadApi({ store, receiver });
  const settled = async () => (await read.deliveryCounts()).every((count) => count.pending === 0);
  return { attempts, settled, read };
}

const idsOfPair = (events: readonly FriendEvent[], pair: FriendEvent) =>
  events.filter((event) => deliveryOrderKey(event) === deliveryOrderKey(pair)).map((event) => event.id);

describe("several batches in flight per sink", () => {
  it("delivers batches side by side, never two calls with one pair at once, each pair in stored order", async () => {
    const events = interleavedEvents(120, 12);
    const recording = recordingSink();
    const { settled } = await deliverStored(recording.sink, events, { batchSize: 5, batchesInFlight: 4 });
    await eventually(settled, "nothing is pending");
    expect(recording.stored).toHaveLength(120);
    expect(recording.mostInFlight()).toBeGreaterThan(1);
    expect(recording.pairInTwoCalls()).toBe(false);
    for (const first of events.slice(0, 12)) expect(idsOfPair(recording.stored, first)).toEqual(idsOfPair(events, first));
  });

  it("goes on with the other pairs when a call fails mid-batch, and keeps the failed pair's order", async () => {
    const events = interleavedEvents(60, 6);
    // The second event of pair 0 fails twice; everything else is taken at once.
    const failing = events[6] as FriendEvent;
    let refusals = 0;
    const recording = recordingSink((event) => {
      if (event.id !== failing.id || refusals >= 2) return undefined;
      refusals += 1;
      return new SinkError("503 Service Unavailable");
    });
    const { settled, read } = await deliverStored(recording.sink, events, { batchSize: 4, batchesInFlight: 3, maximumAttempts: 10 });
    await eventually(settled, "nothing is pending");
    expect(refusals).toBe(2);
    expect(recording.pairInTwoCalls()).toBe(false);
    expect((await read.deadLetters()).deadLetters).toEqual([]);
    for (const first of events.slice(0, 6)) expect(idsOfPair(recording.stored, first)).toEqual(idsOfPair(events, first));
    expect(recording.stored).toHaveLength(60);
  });

  it("dead-letters only the refused event of one lane, while the other lanes deliver everything", async () => {
    const events = interleavedEvents(40, 8);
    const poison = events[13] as FriendEvent;
    const recording = recordingSink((event) => (event.id === poison.id ? new SinkError("410 Gone", { permanent: true }) : undefined));
    const { settled, read } = await deliverStored(recording.sink, events, { batchSize: 5, batchesInFlight: 4 });
    await eventually(settled, "nothing is pending");
    expect((await read.deadLetters()).deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[poison.id, 1]]);
    expect(recording.stored.map((event) => event.id).sort()).toEqual(events.filter((event) => event !== poison).map((event) => event.id).sort());
    for (const first of events.slice(0, 8)) {
      expect(idsOfPair(recording.stored, first)).toEqual(idsOfPair(events, first).filter((id) => id !== poison.id));
    }
  });
});

describe("the claim made with a round's bookkeeping", () => {
  it("is delivered before close() returns: nothing is left leased", async () => {
    const store = createMemoryStore();
    const events = interleavedEvents(400, 40);
    await store.append({ events, sinks: ["recording"] });
    const recording = recordingSink();
    // The store outlives the receiver, to be inspected after close().
    const receiver = createReceiver({
      adapters: { fixture: createFixtureAdapter() },
      store: { ...store, close: async () => undefined },
      sinks: [recording.sink],
      delivery: { pollIntervalMs: 10, batchSize: 10, batchesInFlight: 2, leaseMs: 600_000 },
    });
    receiver.start();
    await eventually(() => recording.stored.length >= 40, "some rounds are delivered");
    await receiver.close();
    const [counts] = await store.countDeliveries();
    const pending = counts?.pending ?? 0;
    expect(pending + recording.stored.length).toBe(400);
    // Every delivery still pending can be claimed at once: no lease was left behind.
    const claimable = await store.claimDeliveries({ sink: "recording", limit: 1000, leaseMs: 1, now: Date.now() });
    expect(claimable).toHaveLength(pending);
    await store.close();
  });
});

describe("splitIntoLanes", () => {
  const leased = (events: readonly FriendEvent[]): LeasedDelivery[] =>
    events.map((event, index) => ({ delivery: { deliveryId: String(index + 1), sink: "s", event, sequence: index + 1, attempts: 0 }, leasedUntil: 1 }));

  it("puts every pair in one lane, in stored order, and balances the lanes", () => {
    const claimed = leased(interleavedEvents(30, 6));
    const lanes = splitIntoLanes(claimed, [], 3);
    expect(lanes).toHaveLength(3);
    expect(lanes.map((lane) => lane.claimed.length)).toEqual([10, 10, 10]);
    const laneOfPair = new Map<string, number>();
    lanes.forEach((lane, index) => {
      const ids = lane.claimed.map((item) => Number(item.delivery.deliveryId));
      expect(ids).toEqual([...ids].sort((left, right) => left - right));
      for (const item of lane.claimed) {
        const key = deliveryOrderKey(item.delivery.event);
        expect(laneOfPair.get(key) ?? index).toBe(index);
        laneOfPair.set(key, index);
      }
    });
  });

  it("puts a held delivery in the lane of its pair", () => {
    const events = interleavedEvents(8, 4);
    const claimed = leased(events.slice(0, 4));
    const [heldItem] = leased(events.slice(4, 5));
    const lanes = splitIntoLanes(claimed, [{ ...(heldItem as LeasedDelivery), behind: "1" }], 4);
    const laneWithHeld = lanes.find((lane) => lane.held.length === 1);
    expect(laneWithHeld?.claimed.map((item) => deliveryOrderKey(item.delivery.event))).toContain(deliveryOrderKey(events[4] as FriendEvent));
  });
});

describe("rounds side by side", () => {
  it("stop together when the sink asks one of them to wait", async () => {
    const events = interleavedEvents(8, 8);
    const items: LeasedDelivery[] = events.map((event, index) => ({
      delivery: { deliveryId: String(index + 1), sink: "s", event, sequence: index + 1, attempts: 0 },
      leasedUntil: Number.MAX_SAFE_INTEGER,
    }));
    let releaseSecond: () => void = () => undefined;
    const secondMayFinish = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const delivered: string[] = [];
    const sink: FriendEventSink = {
      name: "s",
      idempotent: true,
      async deliver(batch) {
        if (batch.some((event) => event.id === events[0]?.id)) {
          throw new SinkError("429 Too Many Requests", { retryAfterMs: 5_000 });
        }
        // The second lane's first call ends only after the first lane was told to wait.
        await secondMayFinish;
        delivered.push(...batch.map((event) => event.id));
      },
    };
    const settings = { batchSize: 2, leaseMs: 1_000, maximumAttempts: 10, initialBackoffMs: 10, maximumBackoffMs: 10_000 };
    const halt: RoundHalt = { halted: false };
    const first = deliverRound({ sink, settings, now: () => 0, claimed: items.slice(0, 4), held: [], halt });
    const second = deliverRound({ sink, settings, now: () => 0, claimed: items.slice(4), held: [], halt });
    const firstResult = await first;
    expect(halt.halted).toBe(true);
    releaseSecond();
    const secondResult = await second;
    expect(firstResult.stoppedBy).toBeInstanceOf(SinkError);
    // The second lane finished the call in hand (two events) and started no other.
    expect(secondResult.calls).toHaveLength(1);
    expect(secondResult.delivered).toHaveLength(2);
    expect(delivered).toEqual(events.slice(4, 6).map((event) => event.id));
  });
});
