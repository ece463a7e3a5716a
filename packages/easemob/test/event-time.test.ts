import { FriendEventSchema, latestTimestampMilliseconds } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter } from "../src/index";

const secret = "event-time-secret";
const adapter = createEasemobAdapter({ secret });
// Received at the moment it was signed, so that the freshness window lets any time through.
const callbackAt = (timestamp: number) =>
  buildEasemobCallback({ secret, operation: "remove", from: "alice", to: "bob", timestamp, receivedAt: new Date(timestamp) });

describe("event time", () => {
  it("carries the signed timestamp as occurredAt, up to the last instant of year 9999", async () => {
    const received = await adapter.receive(callbackAt(latestTimestampMilliseconds));
    expect(received.events.map((event) => event.occurredAt)).toEqual(["9999-12-31T23:59:59.999Z"]);
    for (const event of received.events) expect(FriendEventSchema.safeParse(event).success).toBe(true);
  });

  // Past year 9999 an ISO-8601 time needs an expanded year (`+010000-…`), which the model refuses;
  // such a time would also win every later last-writer-wins comparison of the pair.
  it.each([latestTimestampMilliseconds + 1, 8_640_000_000_000_000])("refuses a timestamp of %d ms with invalid_payload (400)", async (timestamp) => {
    await expect(adapter.receive(callbackAt(timestamp))).rejects.toMatchObject({ code: "invalid_payload", status: 400 });
  });
});
