import { FriendEventSchema, latestTimestampMilliseconds } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildTencentCallback } from "../src/index";
import { adapterWith, fixedRequestTime, receivedAt, sdkAppId, token } from "./support";

const command = "Sns.CallbackFriendDelete";

async function eventsAt(timeStamp: number | string) {
  const body = { CallbackCommand: command, PairList: [{ From_Account: "alice", To_Account: "bob", TimeStamp: timeStamp }] };
  return (await adapterWith().receive(buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime, receivedAt }))).events;
}

describe("event time", () => {
  it("carries TimeStamp (seconds) as occurredAt, up to the last second of year 9999", async () => {
    const events = await eventsAt(Math.floor(latestTimestampMilliseconds / 1000));
    expect(events.map((event) => event.occurredAt)).toEqual(["9999-12-31T23:59:59.000Z"]);
    for (const event of events) expect(FriendEventSchema.safeParse(event).success).toBe(true);
  });

  // TimeStamp is neither signed nor required: one the model cannot express (past year 9999) is
  // dropped like any other malformed descriptive field, and the receive time stands in for it.
  it.each([253_402_300_800, "253402300800", 8_640_000_000_000])("drops a TimeStamp of %s seconds and uses the receive time", async (timeStamp) => {
    const events = await eventsAt(timeStamp);
    expect(events.map((event) => event.occurredAt)).toEqual([receivedAt.toISOString()]);
    for (const event of events) expect(FriendEventSchema.safeParse(event).success).toBe(true);
  });
});
