import { describe, expect, it } from "vitest";
import { buildTencentCallback } from "../src/index";
import { adapterWith, fixedRequestTime, sdkAppId, token } from "./support";

describe("large batches", () => {
  it("turns a PairList of 5,000 pairs into 5,000 events with distinct ids", async () => {
    const PairList = Array.from({ length: 5000 }, (_, index) => ({ From_Account: "owner", To_Account: `user-${index}` }));
    const body = { CallbackCommand: "Sns.CallbackFriendDelete", PairList, RequestId: "bulk-delete" };
    const received = await adapterWith().receive(
      buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendDelete", body, requestTime: fixedRequestTime }),
    );
    expect(received.events).toHaveLength(5000);
    expect(new Set(received.events.map((event) => event.id)).size).toBe(5000);
    expect(received.events[4999]).toMatchObject({ type: "friend.removed", actor: "owner", target: "user-4999" });
  });

  it("decides 5,000 requests of one before-callback and answers each", async () => {
    const FriendItem = Array.from({ length: 5000 }, (_, index) => ({ To_Account: `user-${index}` }));
    const body = { CallbackCommand: "Sns.CallbackPrevFriendAdd", From_Account: "owner", FriendItem, EventTime: 1_700_000_000_000 };
    const received = await adapterWith({ decide: (request) => (request.target.endsWith("7") ? { allow: false, code: 38007 } : { allow: true }) }).receive(
      buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackPrevFriendAdd", body, requestTime: fixedRequestTime }),
    );
    const answer = JSON.parse(received.acknowledgement.body) as { ResultItem: Array<{ ResultCode: number }> };
    expect(answer.ResultItem).toHaveLength(5000);
    expect(answer.ResultItem.filter((item) => item.ResultCode === 38007)).toHaveLength(500);
    expect(received.events).toHaveLength(4500);
  });
});
