import { createMemorySink, createMemoryStore, deliveryOrderKey, type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createReadApi, createReceiver, type DeliveryAttemptedInfo, type ReceiverOptions } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

function setup(sinks: FriendEventSink[], options: Partial<ReceiverOptions> = {}) {
  const attempts: DeliveryAttemptedInfo[] = [];
  const store = options.store ?? createMemoryStore();
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    store,
    sinks,
    delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20 },
    observer: { deliveryAttempted: (info) => attempts.push(info) },
    ...options,
  });
  opened.push(receiver);
  receiver.start();
  const read = createReadApi({ store, receiver, ...(options.now === undefined ? {} : { now: options.now }) });
  return { receiver, attempts, read };
}

/** Fails every other call; keeps the batches it accepted. */
function unreliableSink(name: string) {
  const accepted: FriendEvent[][] = [];
  let calls = 0;
  const sink: FriendEventSink = {
    name,
    idempotent: false,
    async deliver(events) {
      calls += 1;
      if (calls % 2 === 1) throw new Error(`flaky call ${calls}`);
      accepted.push([...events]);
    },
  };
  return { sink, accepted, delivered: () => accepted.flat() };
}

describe("delivery", () => {
  it("delivers each event to every sink in batches, in order per user pair, through failures", async () => {
    const flaky = unreliableSink("flaky");
    const steady = createMemorySink();
    const { receiver, read } = setup([flaky.sink, steady], { delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 20, batchSize: 3 } });
    const users = ["alice", "bob", "carol"];
    for (let index = 0; index < 18; index += 1) {
      const type = index % 3 === 0 ? "friend.removed" : "friend.added";
      const request = signedCallback({ type, actor: users[index % 3], target: users[(index + 1) % 3], at: index });
      expect((await receiver.handle("fixture", request)).status).toBe(200);
    }
    const { events: stored } = await read.events();
    await eventually(() => new Set(flaky.delivered().map((event) => event.id)).size === 18 && steady.events.length === 18, "both sinks hold all 18 events");
    expect(flaky.accepted.every((batch) => batch.length <= 3)).toBe(true);
    for (const delivered of [flaky.delivered(), steady.events]) {
      for (const key of new Set(stored.map(deliveryOrderKey))) {
        const inPair = (event: FriendEvent) => deliveryOrderKey(event) === key;
        // Each pair's events reach the sink in stored order (a re-delivered batch repeats a whole prefix).
        const firstDeliveries = [...new Map(delivered.filter(inPair).map((event) => [event.id, event])).keys()];
        expect(firstDeliveries).toEqual(stored.filter(inPair).map((event) => event.id));
      }
    }
  });

  it("waits exactly as long as a sink's retryAfterMs asks", async () => {
    let clock = Date.UTC(2024, 0, 1);
    const sink = createMemorySink();
    sink.failWith(new SinkError("429 Too Many Requests", { retryAfterMs: 60_000 }));
    const { receiver, read, attempts } = setup([sink], { now: () => clock, delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 120_000 } });
    await receiver.handle("fixture", signedCallback());
    await eventually(() => attempts.length === 1, "the first attempt failed");
    sink.failWith(undefined);
    // Polls go on, but the retry is not due until the clock has moved by 60 s.
    clock += 59_999;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts).toHaveLength(1);
    clock += 1;
    await eventually(() => sink.events.length === 1, "the retry delivered the event");
    // The observer hears of a call after its outcome is recorded, a little after the sink took it.
    await eventually(() => attempts.length === 2, "the observer heard of the retry");
    expect(attempts.map((attempt) => attempt.succeeded)).toEqual([false, true]);
  });

  it("dead-letters after maximumAttempts, and replays on demand", async () => {
    const sink = createMemorySink();
    sink.failWith(new Error("connection refused"));
    const { receiver, read, attempts } = setup([sink], { delivery: { maximumAttempts: 2, pollIntervalMs: 10, initialBackoffMs: 1, maximumBackoffMs: 2 } });
    await receiver.handle("fixture", signedCallback({ id: "doomed" }));
    await eventually(async () => (await read.deadLetters()).deadLetters.length === 1, "the delivery is dead-lettered");
    await eventually(() => attempts.length === 2, "the observer heard of both attempts");
    expect(attempts.map((attempt) => [attempt.succeeded, attempt.deadLettered])).toEqual([
      [false, 0],
      [false, 1],
    ]);
    expect((await read.deadLetters({ sink: "memory" })).deadLetters[0]).toMatchObject({ attempts: 2, lastError: "Error: connection refused" });
    sink.failWith(undefined);
    expect(await read.replayDeadLetters()).toBe(1);
    await eventually(() => sink.events.length === 1, "the replayed delivery succeeded");
    expect(await read.deliveryCounts()).toEqual([]);
  });

  it("finishes the batch in hand when closed, and closes the sinks", async () => {
    let release = () => undefined as void;
    let closed = false;
    let inFlight = false;
    const delivered: FriendEvent[] = [];
    const sink: FriendEventSink = {
      name: "slow",
      idempotent: true,
      async deliver(events) {
        await new Promise<void>((resolve) => {
          release = resolve;
          inFlight = true;
        });
        delivered.push(...events);
      },
      async close() {
        closed = true;
      },
    };
    const { receiver, read, attempts } = setup([sink]);
    await receiver.handle("fixture", signedCallback());
    await eventually(() => inFlight, "a delivery is in flight");
    const closing = receiver.close();
    release();
    await closing;
    expect(delivered).toHaveLength(1);
    expect(attempts).toEqual([expect.objectContaining({ succeeded: true, events: 1 })]);
    expect(closed).toBe(true);
  });
});
