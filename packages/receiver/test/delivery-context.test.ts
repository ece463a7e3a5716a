import { createMemoryStore, type DeliveryContext, type FriendEvent, type FriendEventSink } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createReadApi, createReceiver } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, eventually, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

describe("the delivery context", () => {
  it("gives a sink each event's sequence in the store's arrival order, the same for a replayed dead letter", async () => {
    const batches: Array<{ events: FriendEvent[]; context: DeliveryContext | undefined }> = [];
    let failing = true;
    const sink: FriendEventSink = {
      name: "recording",
      idempotent: true,
      async deliver(events, context) {
        batches.push({ events: [...events], context });
        if (failing && events.some((event) => event.actor === "doomed")) throw new Error("refused");
      },
    };
    const store = createMemoryStore();
    const receiver = createReceiver({
      adapters: { fixture: createFixtureAdapter() },
      store,
      sinks: [sink],
      delivery: { pollIntervalMs: 10, initialBackoffMs: 5, maximumBackoffMs: 10, maximumAttempts: 1, batchSize: 1 },
    });
    opened.push(receiver);
    for (const actor of ["alice", "doomed", "carol"]) await receiver.handle("fixture", signedCallback({ actor, target: "bob", id: actor }));
    receiver.start();
    await eventually(async () => (await store.listDeadLetters()).deadLetters.length === 1, "the doomed event is dead-lettered");
    failing = false;
    await createReadApi({ store, receiver }).replayDeadLetters({});
    await eventually(async () => (await store.countDeliveries()).every((count) => count.pending === 0 && count.deadLettered === 0), "everything is delivered");

    const stored = (await store.listEvents()).events.map((event) => event.id);
    const sequenceOf = new Map<string, number>();
    for (const { events, context } of batches) {
      expect(context?.sequences).toHaveLength(events.length);
      events.forEach((event, index) => {
        const sequence = context?.sequences[index] as number;
        expect(sequenceOf.get(event.id) ?? sequence).toBe(sequence);
        sequenceOf.set(event.id, sequence);
      });
    }
    // Growing in stored order, whatever order the deliveries came in.
    const sequences = stored.map((id) => sequenceOf.get(id) as number);
    expect([...sequences].sort((left, right) => left - right)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(3);
    expect(batches.at(-1)?.events.map((event) => event.actor)).toEqual(["doomed"]);
  });
});
