import { FriendEventSchema, FriendhookError, type ProviderRequest, type ProviderRequestHead } from "@friendhook/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { create__Name__Adapter, defaultMaximumEventsPerCallback, signed__Name__Request } from "../src/index";

const secret = "whsec_template_3c9f1b7a";
const receivedAt = new Date("2023-11-14T22:15:00.000Z");

const captured = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

async function receive(body: object | string | Uint8Array) {
  const adapter = create__Name__Adapter({ secret, now: () => receivedAt });
  const received = await adapter.receive(signed__Name__Request({ body, secret, receivedAt }));
  for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
  return received;
}

// TODO(__name__): one test per captured callback, asserting the events it must become.
describe("__Title__ callbacks", () => {
  it("a friend request becomes friend.request.sent with its message", async () => {
    const received = await receive(captured("friend-request"));
    expect(received.events).toMatchObject([
      {
        type: "friend.request.sent",
        provider: "__name__",
        appId: "demo-app",
        actor: "alice",
        target: "bob",
        mutual: false,
        occurredAt: "2023-11-14T22:13:20.000Z",
        occurredAtSource: "provider-milliseconds",
        receivedAt: receivedAt.toISOString(),
        details: { message: "Hi Bob, it is Alice from the book club" },
      },
    ]);
  });

  it("an acceptance becomes friend.request.accepted and a mutual friend.added, with distinct ids", async () => {
    const received = await receive(captured("friend-accept"));
    expect(received.events.map(({ type, actor, target, mutual }) => ({ type, actor, target, mutual }))).toEqual([
      { type: "friend.request.accepted", actor: "bob", target: "alice", mutual: false },
      { type: "friend.added", actor: "bob", target: "alice", mutual: true },
    ]);
    expect(received.events[0]?.id).not.toBe(received.events[1]?.id);
  });

  it.each([
    ["friend-decline", "friend.request.declined"],
    ["friend-remove", "friend.removed"],
    ["block", "friend.blocked"],
    ["unblock", "friend.unblocked"],
  ])("%s becomes %s", async (name, type) => {
    const received = await receive(captured(name));
    expect(received.events.map((event) => event.type)).toEqual([type]);
  });

  it("keeps an operation it does not know as unrecognized, acknowledged, without events", async () => {
    const body = JSON.parse(captured("block").toString("utf8")) as Record<string, unknown>;
    const received = await receive({ ...body, operation: "friend_nickname_changed" });
    expect(received.events).toEqual([]);
    expect(received.unrecognized?.command).toBe("friend_nickname_changed");
    expect(received.acknowledgement.status).toBe(200);
  });

  it("refuses a body without the users with invalid_payload", async () => {
    const body = JSON.parse(captured("block").toString("utf8")) as Record<string, unknown>;
    const error = await receive({ ...body, to: "" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FriendhookError);
    expect((error as FriendhookError).code).toBe("invalid_payload");
  });

  it("accepts every configured secret while one is rotated", async () => {
    const adapter = create__Name__Adapter({ secret: ["old-secret", "new-secret"] });
    for (const key of ["old-secret", "new-secret"]) {
      const received = await adapter.receive(signed__Name__Request({ body: captured("block"), secret: key }));
      expect(received.events).toHaveLength(1);
    }
  });
});

describe("__Title__ adapter options", () => {
  it("refuses a mistyped option at construction, without echoing a secret", () => {
    expect(() => create__Name__Adapter({ secret, appIdz: ["demo-app"] } as never)).toThrow(/appIdz/);
    let error: unknown;
    try {
      create__Name__Adapter({ secret: "top-secret-value " });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FriendhookError);
    expect((error as FriendhookError).code).toBe("misconfigured");
    expect((error as FriendhookError).message).not.toContain("top-secret-value");
  });
});

describe("__Title__ event cap", () => {
  it("refuses a callback that would make more events than maximumEventsPerCallback with too_many_events 413", async () => {
    expect(defaultMaximumEventsPerCallback).toBeGreaterThan(2);
    const adapter = create__Name__Adapter({ secret, maximumEventsPerCallback: 1 });
    // An acceptance makes two events: friend.request.accepted and friend.added.
    const error = await adapter.receive(signed__Name__Request({ body: captured("friend-accept"), secret })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FriendhookError);
    expect(error).toMatchObject({ code: "too_many_events", status: 413 });
    expect((await adapter.receive(signed__Name__Request({ body: captured("block"), secret }))).events).toHaveLength(1);
    expect(() => create__Name__Adapter({ secret, maximumEventsPerCallback: 0 })).toThrow(/maximumEventsPerCallback/);
  });
});

describe("__Title__ authenticateHead", () => {
  const headOf = (request: ProviderRequest): ProviderRequestHead => {
    const { body: _body, ...head } = request;
    return head;
  };

  it("lets a signed head through, so that the body is read and verified", () => {
    const adapter = create__Name__Adapter({ secret });
    expect(() => adapter.authenticateHead?.(headOf(signed__Name__Request({ body: captured("block"), secret })))).not.toThrow();
  });

  it("refuses an unsigned head, or another method, before the body is read", () => {
    const adapter = create__Name__Adapter({ secret });
    const signedHead = headOf(signed__Name__Request({ body: captured("block"), secret }));
    expect(() => adapter.authenticateHead?.({ ...signedHead, headers: { "content-type": "application/json" } })).toThrow(
      expect.objectContaining({ code: "missing_signature" }),
    );
    expect(() => adapter.authenticateHead?.({ ...signedHead, method: "GET" })).toThrow(expect.objectContaining({ code: "method_not_allowed" }));
  });
});
