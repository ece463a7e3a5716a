import { createMemorySink, createMemoryStore, type FriendEventStore, FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createReadApi, createReceiver, type Receiver } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

/** A receiver whose idle or failing sink looks for due deliveries only once a minute, unless woken. */
function slowPollingReceiver(store: FriendEventStore) {
  const sink = createMemorySink();
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    store,
    sinks: [sink],
    delivery: { maximumAttempts: 1, pollIntervalMs: 60_000 },
  });
  opened.push(receiver);
  receiver.start();
  return { receiver, sink };
}

describe("createReadApi", () => {
  it("reads what the receiver stored, apart from its ingest", async () => {
    const store = createMemoryStore();
    const { receiver } = slowPollingReceiver(store);
    const read = createReadApi({ store });
    await receiver.handle("fixture", signedCallback({ actor: "alice", target: "bob", id: "m-1" }));
    await receiver.handle("fixture", signedCallback({ type: "roster.rename", id: "m-2" }));
    const [event] = (await read.events()).events;
    expect([event?.type, event?.actor, event?.target]).toEqual(["friend.added", "alice", "bob"]);
    expect(await read.friendsOf({ provider: "fixture", appId: "demo#app", userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
    expect((await read.unrecognized()).callbacks.map((callback) => callback.command)).toEqual(["roster.rename"]);
    expect((await read.callback({ eventId: event?.id ?? "" }))?.command).toBe("friend.added");
    expect("events" in receiver).toBe(false);
  });

  it("replays dead letters and wakes the receiver's delivery at once, rather than at its next poll", async () => {
    const store = createMemoryStore();
    const { receiver, sink } = slowPollingReceiver(store);
    const read = createReadApi({ store, receiver });
    sink.failWith(new Error("connection refused"));
    await receiver.handle("fixture", signedCallback({ id: "doomed" }));
    await eventually(async () => (await read.deadLetters()).deadLetters.length === 1, "the delivery is dead-lettered");
    sink.failWith(undefined);
    expect(await read.replayDeadLetters({ sink: "memory" })).toBe(1);
    // The worker waits a minute after a failure: only the wake brings the replay before then.
    await eventually(() => sink.events.length === 1, "the replayed delivery is delivered");
    expect(await read.deliveryCounts()).toEqual([]);
  });

  it("replays without a receiver too, leaving delivery to the delivering receiver's next poll", async () => {
    const store = createMemoryStore();
    const { receiver, sink } = slowPollingReceiver(store);
    sink.failWith(new Error("connection refused"));
    await receiver.handle("fixture", signedCallback({ id: "doomed" }));
    await eventually(async () => (await store.listDeadLetters()).deadLetters.length === 1, "the delivery is dead-lettered");
    const read = createReadApi({ store });
    expect(await read.replayDeadLetters()).toBe(1);
    expect(await read.deliveryCounts()).toEqual([{ sink: "memory", pending: 1, deadLettered: 0 }]);
    expect(await read.replayDeadLetters()).toBe(0);
  });

  it("refuses wrong options with misconfigured, naming what is wrong", () => {
    const store = createMemoryStore();
    expect(() => createReadApi({ store, reciever: {} } as never)).toThrow(/reciever/);
    expect(() => createReadApi({ store: {} as FriendEventStore })).toThrow(/FriendEventStore/);
    expect(() => createReadApi({ store, receiver: {} as Receiver })).toThrow(/receiver/);
    expect(() => createReadApi({ store, receiver: {} as Receiver })).toThrow(FriendhookError);
  });
});
