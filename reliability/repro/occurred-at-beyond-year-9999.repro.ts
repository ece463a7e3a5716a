import { FriendEventSchema } from "@friendhook/core";
import { buildEasemobCallback, createEasemobAdapter } from "@friendhook/easemob";
import { buildTencentCallback, createTencentAdapter } from "@friendhook/tencent";
import { expect, it } from "vitest";

/**
 * Easemob's `timestamp` (milliseconds) and Tencent's `TimeStamp` (seconds) are accepted up to the
 * largest JavaScript date, 8.64e15 ms. Past 9999-12-31 `Date.prototype.toISOString` writes an
 * expanded year ("+275760-09-13T00:00:00.000Z"), which `FriendEventSchema` (and the published
 * friend-event.schema.json) refuse: the adapters emit, and the app stores and delivers, events that
 * break the model's own contract. Such a time also wins every later last-writer-wins comparison in
 * the friend table, so the relation can never change again. Tencent's `TimeStamp` is not signed.
 */
const farFutureMilliseconds = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z

it("an Easemob callback with a timestamp past year 9999 yields only events that match FriendEventSchema, or is refused", async () => {
  const adapter = createEasemobAdapter({ secret: "repro-secret" });
  const request = buildEasemobCallback({ secret: "repro-secret", operation: "remove", from: "alice", to: "bob", timestamp: farFutureMilliseconds });
  const outcome = await adapter.receive(request).then(
    (callback) => callback.events.map((event) => FriendEventSchema.safeParse(event).success),
    (error: { status?: number }) => error.status,
  );
  expect(outcome === 400 || (Array.isArray(outcome) && outcome.every(Boolean))).toBe(true);
});

it("a Tencent pair with a TimeStamp past year 9999 yields only events that match FriendEventSchema, or is refused", async () => {
  const adapter = createTencentAdapter({ sdkAppIds: ["1400000000"] });
  const request = buildTencentCallback({
    sdkAppId: "1400000000",
    command: "Sns.CallbackFriendDelete",
    body: { CallbackCommand: "Sns.CallbackFriendDelete", PairList: [{ From_Account: "alice", To_Account: "bob", TimeStamp: farFutureMilliseconds / 1000 }] },
  });
  const outcome = await adapter.receive(request).then(
    (callback) => callback.events.map((event) => FriendEventSchema.safeParse(event).success),
    (error: { status?: number }) => error.status,
  );
  expect(outcome === 400 || (Array.isArray(outcome) && outcome.every(Boolean))).toBe(true);
});
