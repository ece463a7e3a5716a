import { type FriendEvent, FriendEventSchema } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { type EasemobCallbackInit, buildEasemobCallback, createEasemobAdapter, easemobRosterOperations } from "../src/index";

const secret = "operations-secret";
const appKey = "acme#chat";
const timestamp = Date.UTC(2024, 4, 1, 8, 30, 0, 250);
const receivedAt = new Date(timestamp + 1500);
const adapter = createEasemobAdapter({ secret });

type Operation = (typeof easemobRosterOperations)[number];

async function eventsOf(operation: Operation | string, init: Partial<EasemobCallbackInit> = {}) {
  const received = await adapter.receive(
    buildEasemobCallback({ secret, appKey, operation, from: "alice", to: "bob", messageId: "9001", timestamp, receivedAt, ...init }),
  );
  for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
  return received;
}

/** What tells an event apart, without the fields every event of a callback shares. */
const summary = (event: FriendEvent) => ({
  type: event.type,
  actor: event.actor,
  target: event.target,
  mutual: event.mutual,
  command: event.source.command,
  details: event.details,
});

describe("the mapping from roster operation to unified events", () => {
  it("knows all eight operations", () => {
    expect([...easemobRosterOperations].sort()).toEqual(
      ["accept", "add", "allow", "ban", "decline", "remote_accept", "remote_decline", "remove"],
    );
  });

  it("add: from sent a friend request to to", async () => {
    const received = await eventsOf("add", { reason: "Hi, it's Alice" });
    expect(received.command).toBe("roster:add");
    expect(received.events.map(summary)).toEqual([
      { type: "friend.request.sent", actor: "alice", target: "bob", mutual: false, command: "roster:add", details: { message: "Hi, it's Alice" } },
    ]);
  });

  it("remove: from ended the friendship, for both users", async () => {
    const received = await eventsOf("remove", { rosterVersion: "003DD920" });
    expect(received.events.map(summary)).toEqual([
      { type: "friend.removed", actor: "alice", target: "bob", mutual: true, command: "roster:remove", details: { rosterVersion: "003DD920" } },
    ]);
  });

  it("accept: to (who answered) accepted from's request, and they became friends both ways", async () => {
    const received = await eventsOf("accept", { from: "alice", to: "bob" });
    expect(received.command).toBe("roster:accept");
    expect(received.events.map(summary)).toEqual([
      { type: "friend.request.accepted", actor: "bob", target: "alice", mutual: false, command: "roster:accept", details: {} },
      {
        type: "friend.added",
        actor: "bob",
        target: "alice",
        mutual: true,
        command: "roster:accept",
        details: { initiator: "alice", trigger: "response" },
      },
    ]);
  });

  it("remote_accept: from accepted the request of to (the requester)", async () => {
    const received = await eventsOf("remote_accept", { from: "bob", to: "alice" });
    expect(received.command).toBe("roster:remote_accept");
    expect(received.events.map(summary)).toEqual([
      { type: "friend.request.accepted", actor: "bob", target: "alice", mutual: false, command: "roster:accept", details: {} },
      {
        type: "friend.added",
        actor: "bob",
        target: "alice",
        mutual: true,
        command: "roster:accept",
        details: { initiator: "alice", trigger: "response" },
      },
    ]);
  });

  it("decline and remote_decline: the user who answered declined the requester's request", async () => {
    const declined = { type: "friend.request.declined", actor: "bob", target: "alice", mutual: false, command: "roster:decline", details: {} };
    expect((await eventsOf("decline", { from: "alice", to: "bob" })).events.map(summary)).toEqual([declined]);
    expect((await eventsOf("remote_decline", { from: "bob", to: "alice" })).events.map(summary)).toEqual([declined]);
  });

  it("ban and allow: from blocked, then unblocked, to", async () => {
    expect((await eventsOf("ban")).events.map(summary)).toEqual([
      { type: "friend.blocked", actor: "alice", target: "bob", mutual: false, command: "roster:ban", details: {} },
    ]);
    expect((await eventsOf("allow")).events.map(summary)).toEqual([
      { type: "friend.unblocked", actor: "alice", target: "bob", mutual: false, command: "roster:allow", details: {} },
    ]);
  });

  it("keeps the envelope's facts in every event", async () => {
    const received = await eventsOf("remove", { host: "msync@ebs-ali-beijing-msync42", eventType: "chat_offline", callId: "acme#chat_9001" });
    expect(received.appId).toBe(appKey);
    expect(received.events[0]).toMatchObject({
      provider: "easemob",
      appId: appKey,
      occurredAt: "2024-05-01T08:30:00.250Z",
      occurredAtSource: "provider-milliseconds",
      source: { callbackId: "acme#chat_9001", messageId: "9001", host: "msync@ebs-ali-beijing-msync42", eventType: "chat_offline" },
    });
  });
});

describe("both views of one answer", () => {
  for (const [local, remote] of [
    ["accept", "remote_accept"],
    ["decline", "remote_decline"],
  ] as const) {
    it(`${local} and ${remote} yield identical events with identical ids`, async () => {
      // One answer, as Easemob reports it: the same msg_id, callId and timestamp to both users, each
      // with a roster version of that user's own roster.
      const shared = { messageId: "966725899779049516", callId: "acme#chat_966725899779049516", host: "msync@ebs" };
      const answererView = await eventsOf(local, { ...shared, from: "alice", to: "bob", rosterVersion: "BOB-ROSTER-7" });
      const requesterView = await eventsOf(remote, { ...shared, from: "bob", to: "alice", rosterVersion: "ALICE-ROSTER-3" });
      const withoutReceipt = (events: readonly FriendEvent[]) => events.map(({ receivedAt: _, ...event }) => event);
      expect(withoutReceipt(requesterView.events)).toEqual(withoutReceipt(answererView.events));
      expect(requesterView.events.length).toBeGreaterThan(0);
      expect(answererView.command).not.toBe(requesterView.command);
    });
  }

  it("a JID and a bare id for the same user yield the same events", async () => {
    const bare = await eventsOf("remote_accept", { from: "bob", to: "alice" });
    const jid = await eventsOf("remote_accept", { from: "acme#chat_bob@easemob.com/android_1f2e", to: "alice" });
    expect(jid.events.map(({ receivedAt: _, ...event }) => event)).toEqual(bare.events.map(({ receivedAt: _, ...event }) => event));
  });
});

describe("no user with himself", () => {
  it("acknowledges a callback whose from and to name the same user, without events, for every operation", async () => {
    for (const operation of easemobRosterOperations) {
      for (const [from, to] of [
        ["bob", "bob"],
        [`${appKey}_bob@easemob.com/android_1`, "bob"],
        ["Bob", "bob"],
      ]) {
        const received = await eventsOf(operation, { from, to });
        expect(received.events).toEqual([]);
        expect(received.acknowledgement.status).toBe(200);
        expect(received.unrecognized).toEqual({ command: `roster:${operation}`, reason: expect.stringContaining("from and to name the same user") });
      }
    }
  });
});

describe("ids", () => {
  it("differ between the events of one callback and between messages", async () => {
    const first = await eventsOf("accept", { messageId: "1" });
    const second = await eventsOf("accept", { messageId: "2" });
    const ids = [...first.events, ...second.events].map((event) => event.id);
    expect(new Set(ids).size).toBe(4);
  });

  it("do not depend on delivery: chat and chat_offline copies of one message share them", async () => {
    const online = await eventsOf("ban", { eventType: "chat" });
    const offline = await eventsOf("ban", { eventType: "chat_offline" });
    expect(offline.events.map((event) => event.id)).toEqual(online.events.map((event) => event.id));
  });
});

describe("a blocklist change that failed", () => {
  for (const [operation, attemptedType] of [
    ["ban", "friend.blocked"],
    ["allow", "friend.unblocked"],
  ] as const) {
    it(`${operation} with an error code is kept as friend.operation.failed, not applied`, async () => {
      const received = await eventsOf(operation, { errorCode: "user_not_found" });
      expect(received.events.map(summary)).toEqual([
        {
          type: "friend.operation.failed",
          actor: "alice",
          target: "bob",
          mutual: false,
          command: `roster:${operation}`,
          details: { attemptedType, failureCode: "user_not_found" },
        },
      ]);
      const succeeded = await eventsOf(operation);
      expect(received.events[0]?.id).not.toBe(succeeded.events[0]?.id);
    });
  }

  it("treats every error code but ok as a failure, a numeric one included", async () => {
    for (const errorCode of ["OK", "500", "forbidden"]) {
      const [event] = (await eventsOf("ban", { errorCode })).events;
      expect(event).toMatchObject({ type: "friend.operation.failed", details: { failureCode: errorCode } });
    }
    const numeric = buildEasemobCallback({ secret, appKey, operation: "ban", from: "alice", to: "bob" });
    const text = new TextDecoder().decode(numeric.body).replace('"error_code":"ok"', '"error_code":40003');
    const [event] = (await adapter.receive({ ...numeric, body: new TextEncoder().encode(text) })).events;
    expect(event).toMatchObject({ type: "friend.operation.failed", details: { failureCode: "40003" } });
  });

  it("refuses a ban without status.error_code rather than guess whether it took effect", async () => {
    const request = buildEasemobCallback({ secret, appKey, operation: "ban", from: "alice", to: "bob" });
    const text = new TextDecoder().decode(request.body).replace(',"status":{"error_code":"ok"}', "");
    expect(text).not.toContain("status");
    await expect(adapter.receive({ ...request, body: new TextEncoder().encode(text) })).rejects.toMatchObject({
      code: "invalid_payload",
      status: 400,
      message: expect.stringContaining("payload.status.error_code"),
    });
  });
});

describe("the request text (reason)", () => {
  it("is kept as details.message when it is a string, and left out when empty", async () => {
    expect((await eventsOf("add", { reason: "你好" })).events[0]?.details).toEqual({ message: "你好" });
    expect((await eventsOf("add", { reason: "" })).events[0]?.details).toEqual({});
  });

  it("is kept as JSON text when it is an object, and left out when the object is empty", async () => {
    expect((await eventsOf("add", { reason: { text: "hello", source: "qr" } })).events[0]?.details).toEqual({
      message: '{"text":"hello","source":"qr"}',
    });
    expect((await eventsOf("add", { reason: {} })).events[0]?.details).toEqual({});
  });
});

describe("the body to keep", () => {
  it("is the callback once, not a copy per event, without its security", async () => {
    const request = buildEasemobCallback({ secret, appKey, operation: "accept", from: "alice", to: "bob", messageId: "77" });
    const received = await createEasemobAdapter({ secret }).receive(request);
    const { security, ...withoutSecurity } = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
    expect(security).toMatch(/^[0-9a-f]{32}$/);
    expect(received.events).toHaveLength(2);
    for (const event of received.events) expect(event).not.toHaveProperty("raw");
    expect(JSON.parse(received.body ?? "")).toEqual(withoutSecurity);
  });
});

