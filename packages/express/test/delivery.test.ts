import { createMemorySink, type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import type { DeliveryAttemptedInfo } from "@friendhook/receiver";
import { describe, expect, it } from "vitest";
import { easemobSecret, eventually, send, startService, temporaryDirectory, baseTimestamp } from "./support";

let messageNumber = 800_000_000_000_000_000n;
const callback = (operation: string, from: string, to: string, timestamp: number) =>
  buildEasemobCallback({ secret: easemobSecret, operation, from, to, timestamp, messageId: String((messageNumber += 1n)), appKey: "demo#app" });

const samePair = (left: string, right: string) => (event: FriendEvent) =>
  (event.actor === left && event.target === right) || (event.actor === right && event.target === left);

/** A sink whose every delivery waits until `release` is called. */
function gatedSink() {
  const delivered: FriendEvent[] = [];
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered = false;
  const sink: FriendEventSink = {
    name: "memory",
    idempotent: true,
    async deliver(events) {
      entered = true;
      await gate;
      delivered.push(...events);
    },
  };
  return { sink, delivered, release: () => release(), entered: () => entered };
}

describe("delivery to sinks", () => {
  it("delivers everything once a failing sink recovers, in order per user pair", async () => {
    const sink = createMemorySink();
    sink.failWith(new Error("connection refused"));
    const attempts: DeliveryAttemptedInfo[] = [];
    const service = await startService({ sinks: [sink], observer: { deliveryAttempted: (info) => attempts.push(info) } });
    const requests = [
      callback("accept", "bob", "alice", baseTimestamp + 1_000),
      callback("ban", "carol", "dave", baseTimestamp + 1_500),
      callback("remove", "alice", "bob", baseTimestamp + 2_000),
      callback("accept", "alice", "bob", baseTimestamp + 3_000),
    ];
    for (const request of requests) expect((await send(service.url, "/callbacks/easemob", request)).status).toBe(200);
    await eventually(() => attempts.filter((attempt) => !attempt.succeeded).length >= 3, "three deliveries failed");
    expect(sink.events).toEqual([]);

    sink.failWith(undefined);
    const { events: stored } = await service.read.events();
    await eventually(() => sink.events.length === stored.length, "every stored event reached the sink");
    // The observer hears of a call once its outcome is recorded in the store, after the sink took the
    // events: wait for the reports of the calls that delivered them, not for the sink alone.
    const deliveredInReports = () => attempts.reduce((total, attempt) => total + attempt.delivered, 0);
    await eventually(() => deliveredInReports() >= stored.length, "the observer heard of every delivery");
    expect(new Set(sink.events.map((event) => event.id))).toEqual(new Set(stored.map((event) => event.id)));
    const pair = samePair("alice", "bob");
    expect(sink.events.filter(pair).map((event) => event.id)).toEqual(stored.filter(pair).map((event) => event.id));
    expect((await service.read.deadLetters()).deadLetters).toEqual([]);
    expect(deliveredInReports()).toBe(stored.length);
    expect(attempts.at(-1)).toMatchObject({ sink: "memory", succeeded: true, deadLettered: 0 });
    expect(attempts.find((attempt) => !attempt.succeeded)?.errorMessage).toContain("connection refused");
  });

  it("holds back only the pair of an event the sink refuses, and dead-letters nothing else", async () => {
    const sink = createMemorySink();
    let refusing = true;
    // bob's acceptance of alice is refused until the sink recovers; what follows it for the pair must wait.
    sink.refuseEvents((event) => (refusing && event.type === "friend.added" && samePair("alice", "bob")(event) ? new SinkError("503 Service Unavailable") : undefined));
    // Attempts enough that the refused event is not dead-lettered (which would let its pair go on) meanwhile.
    const service = await startService({ sinks: [sink], start: false, delivery: { batchSize: 10, maximumAttempts: 1000, leaseMs: 120_000 } });
    const requests = [
      callback("accept", "bob", "alice", baseTimestamp + 1_000),
      callback("ban", "carol", "dave", baseTimestamp + 1_500),
      callback("remove", "alice", "bob", baseTimestamp + 2_000),
      callback("accept", "erin", "frank", baseTimestamp + 2_500),
    ];
    for (const request of requests) expect((await send(service.url, "/callbacks/easemob", request)).status).toBe(200);
    const { events: stored } = await service.read.events();
    const pair = samePair("alice", "bob");
    // Stored before delivery starts: the worker claims them in one batch.
    service.receiver.start();
    await eventually(() => sink.events.filter((event) => !pair(event)).length === stored.filter((event) => !pair(event)).length, "the other pairs are delivered");
    // The acceptance's request event went before the refused one; nothing of the pair after it did.
    expect(sink.events.filter(pair).map((event) => event.type)).toEqual(["friend.request.accepted"]);

    refusing = false;
    await eventually(() => sink.events.length === stored.length, "the held pair is delivered");
    expect(sink.events.filter(pair).map((event) => event.id)).toEqual(stored.filter(pair).map((event) => event.id));
    expect((await service.read.deadLetters()).deadLetters).toEqual([]);
  });

  it("moves a delivery to the dead letters at once on a permanent failure, and replays it", async () => {
    const sink = createMemorySink();
    sink.failWith(new SinkError("410 Gone", { permanent: true }));
    const attempts: DeliveryAttemptedInfo[] = [];
    const service = await startService({ sinks: [sink], observer: { deliveryAttempted: (info) => attempts.push(info) } });
    expect((await send(service.url, "/callbacks/easemob", callback("remove", "alice", "bob", baseTimestamp))).status).toBe(200);
    await eventually(async () => (await service.read.deadLetters()).deadLetters.length === 1, "the delivery is a dead letter");
    const [deadLetter] = (await service.read.deadLetters()).deadLetters;
    expect(deadLetter).toMatchObject({ sink: "memory", attempts: 1, event: { type: "friend.removed" } });
    expect(deadLetter?.lastError).toContain("410 Gone");
    await eventually(() => attempts.length > 0, "the observer heard of the attempt");
    expect(attempts).toEqual([expect.objectContaining({ succeeded: false, deadLettered: 1, events: 1 })]);

    sink.failWith(undefined);
    expect(await service.read.replayDeadLetters({ sink: "memory" })).toBe(1);
    await eventually(() => sink.events.length === 1, "the replayed event was delivered");
    expect(sink.events[0]?.id).toBe(deadLetter?.event.id);
    expect((await service.read.deadLetters()).deadLetters).toEqual([]);
  });

  it("gives up after maximumAttempts and keeps the dead letter for inspection", async () => {
    const sink = createMemorySink();
    sink.failWith(new Error("503 Service Unavailable"));
    const service = await startService({ sinks: [sink], delivery: { maximumAttempts: 3, initialBackoffMs: 1, maximumBackoffMs: 5 } });
    expect((await send(service.url, "/callbacks/easemob", callback("ban", "alice", "mallory", baseTimestamp))).status).toBe(200);
    await eventually(async () => (await service.read.deadLetters()).deadLetters.length === 1, "the delivery is a dead letter");
    expect((await service.read.deadLetters()).deadLetters[0]).toMatchObject({ attempts: 3, lastError: "Error: 503 Service Unavailable" });
    expect(await service.read.deliveryCounts()).toEqual([{ sink: "memory", pending: 0, deadLettered: 1 }]);
  });

  it("resumes delivery from the SQLite file after a restart in the middle of a delivery", async () => {
    const directory = temporaryDirectory();
    const first = gatedSink();
    const service = await startService({ directory, sinks: [first.sink], delivery: { batchSize: 4 } });
    const users = ["alice", "bob", "carol", "dave", "erin", "frank"];
    for (let index = 0; index < 12; index += 1) {
      const request = callback("remove", users[index % 6] as string, users[(index + 1) % 6] as string, baseTimestamp + index);
      expect((await send(service.url, "/callbacks/easemob", request)).status).toBe(200);
    }
    const { events: stored } = await service.read.events();
    expect(stored).toHaveLength(12);
    await eventually(first.entered, "the first batch is being delivered");

    const closing = service.receiver.close();
    try {
      const duringClose = await service.receiver.handle("easemob", callback("remove", "x", "y", baseTimestamp));
      expect(duringClose.status).toBe(503);
    } finally {
      first.release();
    }
    await closing;
    await service.close();
    expect(first.delivered.length).toBeGreaterThan(0);
    expect(first.delivered.length).toBeLessThan(12);

    const second = createMemorySink();
    const restarted = await startService({ directory, sinks: [second] });
    await eventually(async () => (await restarted.read.deliveryCounts()).every((count) => count.pending === 0), "nothing is pending");
    const deliveredIds = new Set([...first.delivered, ...second.events].map((event) => event.id));
    expect(deliveredIds).toEqual(new Set(stored.map((event) => event.id)));
    // What the first run completed is not delivered again.
    expect(second.events.filter((event) => first.delivered.some((done) => done.id === event.id))).toEqual([]);
  });
});
