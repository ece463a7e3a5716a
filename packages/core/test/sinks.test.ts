import { describe, expect, it, vi } from "vitest";
import {
  createConsoleSink,
  createMemorySink,
  deliverToSink,
  formatFriendEventLine,
  type FriendEvent,
  type FriendEventSink,
  SinkBatchError,
  SinkError,
} from "../src/index";

const event: FriendEvent = {
  id: "evt_00000000000000000000000000000001",
  type: "friend.blocked",
  provider: "easemob",
  appId: "demo#app",
  actor: "alice",
  target: "bob",
  mutual: false,
  occurredAt: "2022-01-20T03:07:26.912Z",
  occurredAtSource: "provider-milliseconds",
  receivedAt: "2022-01-20T03:07:27.000Z",
  source: { command: "roster:ban" },
  details: {},
};

describe("memory sink", () => {
  it("keeps one copy per id unless told otherwise", async () => {
    const idempotent = createMemorySink();
    await idempotent.deliver([event, event]);
    expect(idempotent.events).toEqual([event]);
    const everyCopy = createMemorySink({ idempotent: false });
    await everyCopy.deliver([event, event]);
    expect(everyCopy.events).toHaveLength(2);
  });

  it("fails on demand and recovers", async () => {
    const sink = createMemorySink();
    sink.failWith(new Error("down"));
    await expect(sink.deliver([event])).rejects.toThrow("down");
    expect(sink.events).toEqual([]);
    sink.failWith(undefined);
    await sink.deliver([event]);
    expect(sink.events).toEqual([event]);
    expect(sink.deliveries).toBe(1);
  });
});

describe("console sink", () => {
  it("writes one readable line per event", async () => {
    const lines: string[] = [];
    await createConsoleSink({ write: (line) => lines.push(line) }).deliver([event]);
    expect(lines).toEqual(["2022-01-20T03:07:26.912Z easemob demo#app friend.blocked alice → bob  evt_00000000000000000000000000000001"]);
    expect(formatFriendEventLine({ ...event, type: "friend.operation.failed", details: { attemptedType: "friend.blocked", failureCode: "e1" } })).toContain(
      "(friend.blocked failed: e1)",
    );
  });

  it("writes JSON lines when asked", async () => {
    const lines: string[] = [];
    await createConsoleSink({ format: "json", write: (line) => lines.push(line) }).deliver([event]);
    expect(JSON.parse(lines[0] ?? "")).toEqual(event);
  });

  it("prints with console.log in a runtime without Node's standard output (a worker)", async () => {
    // Only while the sink is made: it looks for standard output once.
    vi.stubGlobal("process", undefined);
    let sink: ReturnType<typeof createConsoleSink>;
    try {
      sink = createConsoleSink();
    } finally {
      vi.unstubAllGlobals();
    }
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      await sink.deliver([event]);
      await sink.close?.();
      expect(log.mock.calls).toEqual([[formatFriendEventLine(event)]]);
    } finally {
      log.mockRestore();
    }
  });
});

const pairEvent = (id: string, actor: string, target: string): FriendEvent => ({ ...event, id, actor, target });

describe("memory sink refusing events", () => {
  it("stores the others, reports the refused event failed and its pair's later events not attempted", async () => {
    const sink = createMemorySink();
    const refused = pairEvent("evt_refused", "alice", "bob");
    const batch = [pairEvent("evt_1", "carol", "dave"), refused, pairEvent("evt_2", "bob", "alice"), pairEvent("evt_3", "erin", "frank")];
    const reason = new SinkError("refused", { permanent: true });
    sink.refuseEvents((each) => (each.id === refused.id ? reason : undefined));
    const report = await deliverToSink(sink, batch);
    expect(report.batchError).toBeUndefined();
    expect(report.outcomes).toEqual([{ status: "delivered" }, { status: "failed", error: reason }, { status: "not-attempted" }, { status: "delivered" }]);
    expect(sink.events.map((each) => each.id)).toEqual(["evt_1", "evt_3"]);
    expect(sink.deliveries).toBe(0);
    sink.refuseEvents(undefined);
    await sink.deliver(batch);
    expect(sink.events.map((each) => each.id)).toEqual(["evt_1", "evt_3", "evt_refused", "evt_2"]);
  });
});

describe("console sink failing to write", () => {
  it("says which lines were written, so that they are not printed twice", async () => {
    const lines: string[] = [];
    const sink = createConsoleSink({
      write: (line) => {
        if (lines.length === 2) throw new Error("EPIPE");
        lines.push(line);
      },
    });
    const batch = ["evt_1", "evt_2", "evt_3", "evt_4"].map((id) => ({ ...event, id }));
    const report = await deliverToSink(sink, batch);
    expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "delivered", "failed", "not-attempted"]);
    expect(lines).toHaveLength(2);
  });
});

describe("reading a delivery", () => {
  const sinkThrowing = (error: unknown): FriendEventSink => ({
    name: "throwing",
    idempotent: true,
    async deliver() {
      throw error;
    },
  });

  it("reads a resolved call as every event delivered, and passes the delivery context on", async () => {
    let seen: unknown;
    const sink: FriendEventSink = {
      name: "fine",
      idempotent: true,
      async deliver(_events, context) {
        seen = context;
      },
    };
    expect(await deliverToSink(sink, [event, event], { sequences: [4, 9] })).toEqual({ outcomes: [{ status: "delivered" }, { status: "delivered" }] });
    expect(seen).toEqual({ sequences: [4, 9] });
  });

  it("reads any other error as a failure of the whole batch, never throwing", async () => {
    const error = new SinkError("503", { retryAfterMs: 1000 });
    expect(await deliverToSink(sinkThrowing(error), [event, event])).toEqual({
      outcomes: [
        { status: "failed", error },
        { status: "failed", error },
      ],
      batchError: error,
    });
    expect((await deliverToSink(sinkThrowing("a string"), [event])).batchError).toBe("a string");
  });

  it("stoppedAt: delivered before the index, failed at it, not attempted after", () => {
    const error = new Error("timeout");
    const stopped = SinkBatchError.stoppedAt(1, 3, error);
    expect(stopped.outcomes).toEqual([{ status: "delivered" }, { status: "failed", error }, { status: "not-attempted" }]);
    expect(stopped.message).toBe("1 of 3 events delivered; the next one failed: timeout");
    expect(stopped.cause).toBe(error);
  });

  it("reads a SinkBatchError that does not fit the batch, or settles nothing, as a failure of the whole batch", async () => {
    const tooShort = await deliverToSink(sinkThrowing(new SinkBatchError("short", [{ status: "delivered" }])), [event, event]);
    expect(String(tooShort.batchError)).toMatch(/do not fit its batch of 2 events/);
    expect(tooShort.outcomes.map((outcome) => outcome.status)).toEqual(["failed", "failed"]);
    const unknownStatus = await deliverToSink(sinkThrowing(new SinkBatchError("odd", [{ status: "stored" } as never])), [event]);
    expect(unknownStatus.batchError).toBeInstanceOf(Error);
    const nothingTried = await deliverToSink(sinkThrowing(new SinkBatchError("none", [{ status: "not-attempted" }, { status: "not-attempted" }])), [event, event]);
    expect(String(nothingTried.batchError)).toMatch(/attempted none of the 2 events/);
  });
});
