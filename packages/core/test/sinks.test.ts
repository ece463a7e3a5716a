import { describe, expect, it } from "vitest";
import { createConsoleSink, createMemorySink, formatFriendEventLine, type FriendEvent } from "../src/index";

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
});
