import {
  createMemoryStore,
  deliverToSink,
  deriveEventId,
  deliveryOrderKey,
  type FriendEvent,
  type FriendEventSink,
  type FriendEventStore,
  FriendhookError,
  type ProviderAdapterV1,
  SinkError,
} from "@friendhook/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildFriendEvent, buildFriendEvents } from "./sample-events";

/**
 * What the suite needs of `createReceiver` from `@friendhook/receiver`, which a sink's tests pass
 * in (the testkit does not depend on the receiver).
 */
export type ReceiverFactory = (options: {
  adapters: Record<string, ProviderAdapterV1>;
  store: FriendEventStore;
  sinks: FriendEventSink[];
  delivery: { maximumAttempts: number; initialBackoffMs: number; maximumBackoffMs: number; pollIntervalMs: number };
}) => { start(): void; close(): Promise<void> };

export interface SinkConformanceOptions<Sink extends FriendEventSink> {
  /** Builds a sink over an empty destination (a fresh table, stream or subject). */
  readonly createSink: () => Sink | Promise<Sink>;
  /** Reads back, in stored order, every event the sink holds. */
  readonly readEvents: (sink: Sink) => Promise<FriendEvent[]>;
  /** Builds a sink whose server cannot be reached; delivery must fail with an error. */
  readonly createUnreachableSink?: () => FriendEventSink | Promise<FriendEventSink>;
  /** Removes what the sink stored, after each test. */
  readonly cleanup?: (sink: Sink) => Promise<void>;
  /**
   * Turns an event into one the sink's destination refuses every time (PostgreSQL: a NUL
   * character; NATS: a message larger than the stream takes), keeping its provider, app and users.
   * The suite then checks that the
   * refused event fails alone and permanently, and that a batch holding it reports no more than
   * the truth, so that the receiver can deliver everything else.
   */
  readonly refuseEvent?: (event: FriendEvent) => FriendEvent;
  /**
   * `createReceiver` from `@friendhook/receiver`. With `refuseEvent`, the suite also delivers a
   * batch holding a refused event through the receiver's delivery engine: only that event may be
   * dead-lettered.
   */
  readonly createReceiver?: ReceiverFactory;
}

/** An adapter for receivers that only deliver what a test stored itself. */
const noCallbacks: ProviderAdapterV1 = {
  specificationVersion: "v1",
  provider: "testkit",
  async receive() {
    throw new FriendhookError("unsupported_command", "This receiver takes no callbacks.");
  },
  refuse: (error) => ({ status: error.status, headers: {}, body: "" }),
};

async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Six events of five user pairs: the refused one third, and a later event of its pair fifth.
 * Returns the batch and the refused event.
 */
function batchWithRefusedEvent(refuseEvent: (event: FriendEvent) => FriendEvent, offset: number) {
  const [first, second, third, fourth, fifth] = buildFriendEvents(5, offset) as [FriendEvent, FriendEvent, FriendEvent, FriendEvent, FriendEvent];
  const refused = refuseEvent(third);
  const laterOfItsPair = buildFriendEvent(
    {
      id: deriveEventId({ provider: refused.provider, appId: refused.appId, type: "friend.removed", parts: ["later", offset] }),
      type: "friend.removed",
      provider: refused.provider,
      appId: refused.appId,
      actor: refused.target,
      target: refused.actor,
      details: {},
    } as Partial<FriendEvent>,
    offset + 9,
  );
  return { batch: [first, second, refused, fourth, laterOfItsPair, fifth], refused, original: third, laterOfItsPair };
}

/**
 * A memory store holding the batch, that hands `refused` out in place of `original`: a store keeps
 * only text it can keep exactly (`checkStorableText` refuses a NUL, say), so an event a sink
 * refuses for such text is put in on the way out, as a store that had kept it would hand it out.
 */
async function storeHandingOut(batch: readonly FriendEvent[], refused: FriendEvent, original: FriendEvent, sink: string): Promise<FriendEventStore> {
  const store = createMemoryStore();
  await store.append({ events: batch.map((event) => (event === refused ? original : event)), sinks: [sink] });
  return {
    ...store,
    claimDeliveries: async (input) =>
      (await store.claimDeliveries(input)).map((delivery) => (delivery.event.id === original.id ? { ...delivery, event: refused } : delivery)),
  };
}

/**
 * The conformance suite every sink calls once from its own test file, against its real server:
 * batches round-trip in order, idempotency holds when the sink claims it, failures surface.
 */
export function describeSinkConformance<Sink extends FriendEventSink>(
  name: string,
  options: SinkConformanceOptions<Sink>,
): void {
  describe(`${name}: sink conformance`, () => {
    const opened: Sink[] = [];
    const open = async () => {
      const sink = await options.createSink();
      opened.push(sink);
      return sink;
    };

    afterEach(async () => {
      for (const sink of opened.splice(0)) {
        await options.cleanup?.(sink);
        await sink.close?.();
      }
    });

    it("names itself", async () => {
      const sink = await open();
      expect(sink.name).toMatch(/\S/);
      expect(typeof sink.idempotent).toBe("boolean");
    });

    it("stores a batch whole and in order", async () => {
      const sink = await open();
      const events = buildFriendEvents(25);
      await sink.deliver(events);
      const stored = await options.readEvents(sink);
      expect(stored.map((event) => event.id)).toEqual(events.map((event) => event.id));
      expect(stored).toEqual(events);
    });

    it("stores consecutive batches in delivery order", async () => {
      const sink = await open();
      const first = buildFriendEvents(3, 0);
      const second = buildFriendEvents(3, 3);
      await sink.deliver(first);
      await sink.deliver(second);
      const stored = await options.readEvents(sink);
      expect(stored.map((event) => event.id)).toEqual([...first, ...second].map((event) => event.id));
    });

    it("accepts an empty batch", async () => {
      const sink = await open();
      await sink.deliver([]);
      expect(await options.readEvents(sink)).toEqual([]);
    });

    it("keeps one copy per event id when it claims to be idempotent", async () => {
      const sink = await open();
      const events = buildFriendEvents(5);
      await sink.deliver(events);
      await sink.deliver(events.slice(1, 4));
      const storedIds = (await options.readEvents(sink)).map((event) => event.id);
      if (sink.idempotent) {
        expect(storedIds).toEqual(events.map((event) => event.id));
      } else {
        // A sink that does not claim idempotency must still keep every delivered copy.
        expect(storedIds.length).toBe(8);
      }
    });

    if (options.refuseEvent) {
      const refuseEvent = options.refuseEvent;

      it("fails a refused event alone, permanently, and stores nothing of it", async () => {
        const sink = await open();
        const refused = refuseEvent(buildFriendEvent({}, 40));
        const report = await deliverToSink(sink, [refused]);
        expect(report.outcomes).toHaveLength(1);
        const [outcome] = report.outcomes;
        expect(outcome?.status).toBe("failed");
        const error = outcome?.status === "failed" ? outcome.error : undefined;
        expect(error).toBeInstanceOf(SinkError);
        expect((error as SinkError).permanent).toBe(true);
        expect(await options.readEvents(sink)).toEqual([]);
      });

      it("reports no more than the truth about a batch holding a refused event, and takes the rest apart from it", async () => {
        const sink = await open();
        const { batch, refused, laterOfItsPair } = batchWithRefusedEvent(refuseEvent, 50);
        const report = await deliverToSink(sink, batch);
        const storedIds = new Set((await options.readEvents(sink)).map((event) => event.id));
        expect(storedIds.has(refused.id)).toBe(false);
        if (report.batchError === undefined) {
          // Whatever a sink reports delivered is stored, and whatever it reports failed or not attempted is not.
          report.outcomes.forEach((outcome, index) => {
            expect([index, storedIds.has((batch[index] as FriendEvent).id)]).toEqual([index, outcome.status === "delivered"]);
          });
          expect(report.outcomes[batch.indexOf(refused)]?.status).toBe("failed");
          // Nothing of a pair goes past an event of it that was not stored.
          expect(report.outcomes[batch.indexOf(laterOfItsPair)]?.status).not.toBe("delivered");
        }
        // Delivered apart from the refused event, the rest is taken whole, in order.
        const rest = batch.filter((event) => event !== refused);
        await sink.deliver(rest);
        const stored = await options.readEvents(sink);
        const firstCopies = [...new Map(stored.map((event) => [event.id, event])).keys()];
        expect(new Set(firstCopies)).toEqual(new Set(rest.map((event) => event.id)));
        const pair = deliveryOrderKey(refused);
        expect(firstCopies.filter((id) => rest.some((event) => event.id === id && deliveryOrderKey(event) === pair))).toEqual([laterOfItsPair.id]);
      });

      if (options.createReceiver) {
        const createReceiver = options.createReceiver;
        it("through a receiver, dead-letters only the refused event of a batch and delivers the others", async () => {
          const sink = await open();
          const { batch, refused, original } = batchWithRefusedEvent(refuseEvent, 60);
          const store = await storeHandingOut(batch, refused, original, sink.name);
          // The receiver closes the sinks it is given: it gets a view of this one, which the suite closes.
          const view: FriendEventSink = { name: sink.name, idempotent: sink.idempotent, deliver: (events, context) => sink.deliver(events, context) };
          const receiver = createReceiver({
            adapters: { none: noCallbacks },
            store,
            sinks: [view],
            delivery: { maximumAttempts: 3, initialBackoffMs: 10, maximumBackoffMs: 50, pollIntervalMs: 10 },
          });
          receiver.start();
          try {
            await eventually(async () => (await store.countDeliveries()).every((count) => count.pending === 0), "nothing is pending");
            const { deadLetters } = await store.listDeadLetters();
            expect(deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[refused.id, 1]]);
            const stored = await options.readEvents(sink);
            expect(new Set(stored.map((event) => event.id))).toEqual(new Set(batch.filter((event) => event !== refused).map((event) => event.id)));
          } finally {
            await receiver.close();
          }
        });
      }
    }

    if (options.createUnreachableSink) {
      const createUnreachableSink = options.createUnreachableSink;
      it("surfaces a failure as a rejected delivery", async () => {
        const sink = await createUnreachableSink();
        try {
          await expect(sink.deliver(buildFriendEvents(1))).rejects.toBeInstanceOf(Error);
        } finally {
          await sink.close?.().catch(() => undefined);
        }
      });
    }
  });
}
