import { describe, expect, it } from "vitest";
import {
  earliestTimestampMilliseconds,
  FriendEventSchema,
  isEventTimestamp,
  latestTimestampMilliseconds,
  friendEventTypes,
  isRelationshipEventType,
  isUserId,
  maximumUserIdLength,
  relationshipEventTypes,
  type FriendEvent,
} from "../src/index";

const added: FriendEvent = {
  id: "evt_0123456789abcdef0123456789abcdef",
  type: "friend.added",
  provider: "easemob",
  appId: "demo#app",
  actor: "tst01",
  target: "alice",
  mutual: true,
  occurredAt: "2022-01-20T03:16:53.494Z",
  occurredAtSource: "provider-milliseconds",
  receivedAt: "2022-01-20T03:16:53.600Z",
  source: { command: "roster:accept", messageId: "966725899779049516", eventType: "chat" },
  details: { rosterVersion: "DD6E14FE5EE5A9ABC52CA86C5DE1601CF729BFD6", initiator: "alice" },
};

describe("FriendEventSchema", () => {
  it("accepts a complete event and keeps provider-specific source keys", () => {
    expect(FriendEventSchema.parse(added)).toEqual(added);
  });

  it("narrows details by type", () => {
    const failed = FriendEventSchema.parse({
      ...added,
      type: "friend.operation.failed",
      details: { attemptedType: "friend.blocked", failureCode: "user_not_found" },
    });
    if (failed.type !== "friend.operation.failed") throw new Error("not narrowed");
    expect(failed.details.attemptedType).toBe("friend.blocked");
  });

  it("refuses an unknown type, a missing actor and a local-time timestamp", () => {
    expect(FriendEventSchema.safeParse({ ...added, type: "friend.poked" }).success).toBe(false);
    const { actor: _actor, ...withoutActor } = added;
    expect(FriendEventSchema.safeParse(withoutActor).success).toBe(false);
    expect(FriendEventSchema.safeParse({ ...added, occurredAt: "2022-01-20T11:16:53+08:00" }).success).toBe(false);
    expect(FriendEventSchema.safeParse({ ...added, actor: "" }).success).toBe(false);
  });

  it("refuses user ids longer than the maximum or with control characters, in the schema and in isUserId alike", () => {
    const refused = ["", "x".repeat(maximumUserIdLength + 1), "ali\u0000ce", "tab\there", "line\n", "\u001b[2J", "del\u007f", "c1\u0085", "c1\u009f"];
    for (const userId of refused) {
      expect(FriendEventSchema.safeParse({ ...added, actor: userId }).success, JSON.stringify(userId.slice(0, 20))).toBe(false);
      expect(FriendEventSchema.safeParse({ ...added, target: userId }).success).toBe(false);
      expect(isUserId(userId)).toBe(false);
    }
    const accepted = ["x".repeat(maximumUserIdLength), "a", "用户", "emoji😀", "user.name_with-dots", "org#app_alice@easemob.com", "a b", "\u00a0nbsp"];
    for (const userId of accepted) {
      expect(FriendEventSchema.parse({ ...added, actor: userId, target: userId }).actor).toBe(userId);
      expect(isUserId(userId)).toBe(true);
    }
    expect(isUserId(42)).toBe(false);
    // Every provider documents far less: Tencent 32 bytes, Easemob 64 bytes, OpenIM 64 characters.
    expect(maximumUserIdLength).toBeGreaterThanOrEqual(4 * 64);
  });

  it("refuses a failed operation that does not say what was attempted", () => {
    const result = FriendEventSchema.safeParse({ ...added, type: "friend.operation.failed", details: { failureCode: "x" } });
    expect(result.success).toBe(false);
  });

  it("separates relationship changes from the request lifecycle", () => {
    expect(friendEventTypes).toHaveLength(8);
    expect(relationshipEventTypes).toEqual(["friend.added", "friend.removed", "friend.blocked", "friend.unblocked"]);
    expect(isRelationshipEventType("friend.blocked")).toBe(true);
    expect(isRelationshipEventType("friend.request.accepted")).toBe(false);
    expect(isRelationshipEventType("friend.operation.failed")).toBe(false);
  });
});

describe("the instants an event can hold", () => {
  it("are those whose ISO-8601 form the model accepts: year 0 to year 9999", () => {
    const at = (epochMilliseconds: number) =>
      FriendEventSchema.safeParse({ ...added, occurredAt: new Date(epochMilliseconds).toISOString() }).success;
    for (const instant of [earliestTimestampMilliseconds, 0, -1, latestTimestampMilliseconds]) {
      expect([isEventTimestamp(instant), at(instant)]).toEqual([true, true]);
    }
    for (const instant of [earliestTimestampMilliseconds - 1, latestTimestampMilliseconds + 1, 8_640_000_000_000_000, -8_640_000_000_000_000]) {
      expect([isEventTimestamp(instant), at(instant)]).toEqual([false, false]);
    }
    expect(isEventTimestamp(1.5)).toBe(false);
    expect(isEventTimestamp(Number.NaN)).toBe(false);
  });
});
