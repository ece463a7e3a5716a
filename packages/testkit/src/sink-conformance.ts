import type { FriendEvent, FriendEventSink } from "@friendhook/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildFriendEvents } from "./sample-events";

export interface SinkConformanceOptions<Sink extends FriendEventSink> {
  /** Builds a sink over an empty destination (a fresh table, stream or subject). */
  readonly createSink: () => Sink | Promise<Sink>;
  /** Reads back, in stored order, every event the sink holds. */
  readonly readEvents: (sink: Sink) => Promise<FriendEvent[]>;
  /** Builds a sink whose server cannot be reached; delivery must fail with an error. */
  readonly createUnreachableSink?: () => FriendEventSink | Promise<FriendEventSink>;
  /** Removes what the sink stored, after each test. */
  readonly cleanup?: (sink: Sink) => Promise<void>;
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
