import { describe, expect, it } from "vitest";
import {
  FriendEventSchema,
  FriendhookError,
  createFriendEvent,
  checkEventCount,
  definedOnly,
  deriveEventId,
  functionOption,
  jsonResponse,
  listOf,
  nonEmptyText,
  normalizeFriendRequestDecision,
  oneOrMany,
  parseOptions,
  secretOption,
  tolerantField,
} from "../src/index";
import { z } from "zod";

describe("createFriendEvent", () => {
  const fields = {
    provider: "acme",
    appId: "app-1",
    actor: "alice",
    target: "bob",
    mutual: true,
    receivedAt: "2024-05-01T10:00:00.000Z",
    source: { command: "accept" },
    details: { initiator: "bob" },
    identity: ["message-7"],
  };

  it("makes a valid event whose id is derived from the identity, and the receive time when the provider gives none", () => {
    const event = createFriendEvent("friend.added", fields);
    expect(FriendEventSchema.parse(event)).toEqual(event);
    expect(event.id).toBe(deriveEventId({ provider: "acme", appId: "app-1", type: "friend.added", parts: ["message-7"] }));
    expect([event.occurredAt, event.occurredAtSource]).toEqual(["2024-05-01T10:00:00.000Z", "received"]);
  });

  it("carries the provider's time and its unit when given", () => {
    const event = createFriendEvent("friend.added", { ...fields, providerTime: { occurredAt: "2024-05-01T09:59:58.000Z", source: "provider-seconds" } });
    expect([event.occurredAt, event.occurredAtSource]).toEqual(["2024-05-01T09:59:58.000Z", "provider-seconds"]);
    expect(event.id).toBe(createFriendEvent("friend.added", fields).id);
  });
});

describe("normalizeFriendRequestDecision", () => {
  const rules = {
    isDenialCode: (code: unknown): code is number => typeof code === "number" && code >= 100 && code <= 199,
    defaultCode: 100,
    defaultReason: "refused",
  };

  it("allows what is not a denial, keeps a denial a denial and replaces only what the provider would not accept", () => {
    for (const answer of [undefined, null, "no", 0, { allow: true }, { allow: "false" }, {}]) {
      expect(normalizeFriendRequestDecision(answer, rules)).toEqual({ allow: true });
    }
    expect(normalizeFriendRequestDecision({ allow: false, code: 150, reason: "spam" }, rules)).toEqual({ allow: false, code: 150, reason: "spam" });
    expect(normalizeFriendRequestDecision({ allow: false, code: 7, reason: "" }, rules)).toEqual({ allow: false, code: 100, reason: "refused" });
    expect(normalizeFriendRequestDecision({ allow: false }, rules)).toEqual({ allow: false, code: 100, reason: "refused" });
  });
});

describe("small adapter helpers", () => {
  it("definedOnly drops undefined keys and keeps the rest, falsy ones too", () => {
    expect(definedOnly({ a: 1, b: undefined, c: "", d: 0, e: false, f: null })).toEqual({ a: 1, c: "", d: 0, e: false, f: null });
    expect(Object.keys(definedOnly({ b: undefined }))).toEqual([]);
    expect([nonEmptyText(""), nonEmptyText(undefined), nonEmptyText("hi")]).toEqual([undefined, undefined, "hi"]);
  });

  it("jsonResponse answers with the status, JSON headers and the body serialized", () => {
    expect(jsonResponse(200, { status: "ok" })).toEqual({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: '{"status":"ok"}',
    });
  });

  it("checkEventCount refuses a count over the maximum with too_many_events 413, naming what was counted", () => {
    expect(() => checkEventCount(3, 3, "acme")).not.toThrow();
    let error: unknown;
    try {
      checkEventCount(4, 3, "acme", () => "The add callback lists 4 users");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FriendhookError);
    expect(error).toMatchObject({ code: "too_many_events", status: 413, provider: "acme" });
    expect((error as Error).message).toBe("The add callback lists 4 users, more than maximumEventsPerCallback (3).");
  });

  it("tolerantField drops a descriptive field of the wrong type instead of refusing the callback", () => {
    const Schema = z.object({ user: z.string(), note: tolerantField(z.string()) });
    expect(Schema.parse({ user: "alice", note: 7 })).toEqual({ user: "alice", note: undefined });
    expect(Schema.safeParse({ note: "x" }).success).toBe(false);
  });
});

describe("option schemas", () => {
  const Schema = z.strictObject({
    token: oneOrMany(secretOption("token", "; omit it to turn the check off"), "token").optional(),
    now: functionOption<() => Date>("now must be a function returning a Date").optional(),
  });
  const failure = (input: unknown) => {
    try {
      parseOptions(Schema, input, "Acme adapter");
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("the options were accepted");
  };

  it("takes one secret or several, read back as a list", () => {
    expect(listOf(parseOptions(Schema, { token: "a" }, "Acme adapter").token)).toEqual(["a"]);
    expect(listOf(parseOptions(Schema, { token: ["a", "b"] }, "Acme adapter").token)).toEqual(["a", "b"]);
    expect(listOf(parseOptions(Schema, {}, "Acme adapter").token)).toEqual([]);
  });

  it("refuses an empty secret, one with whitespace around it, an empty list and a clock that is not a function, never echoing the value", () => {
    expect(failure({ token: "" })).toContain("a token is empty; omit it to turn the check off");
    expect(failure({ token: " hunter2" })).toContain("a token has leading or trailing whitespace");
    expect(failure({ token: " hunter2" })).not.toContain("hunter2");
    expect(failure({ token: [] })).toContain("name at least one token");
    expect(failure({ now: "2024-01-01" })).toContain("now must be a function returning a Date");
  });
});
