import { describe, expect, it } from "vitest";
import { buildTencentCallback, defaultMaximumEventsPerCallback } from "../src/index";
import { adapterWith, fixedRequestTime, fixture, sdkAppId, token } from "./support";
import { refusalOf } from "@friendhook/testkit";

const signed = (command: string, body: Record<string, unknown>) =>
  buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime });

const pairs = (count: number) => Array.from({ length: count }, (_, index) => ({ From_Account: "owner", To_Account: `user-${index}` }));

describe("maximumEventsPerCallback", () => {
  it("defaults to 10,000: a signed FriendDelete of 10,000 pairs is taken, one of 10,001 is refused with too_many_events 413", async () => {
    expect(defaultMaximumEventsPerCallback).toBe(10_000);
    const command = "Sns.CallbackFriendDelete";
    const atCap = await adapterWith().receive(signed(command, { CallbackCommand: command, PairList: pairs(10_000), RequestId: "at-cap" }));
    expect(atCap.events).toHaveLength(10_000);
    const error = await refusalOf(adapterWith().receive(signed(command, { CallbackCommand: command, PairList: pairs(10_001), RequestId: "over" })));
    expect(error).toMatchObject({ code: "too_many_events", status: 413, provider: "tencent" });
    expect(error.message).toContain("10001 changes in PairList");
    expect(error.message).toContain("maximumEventsPerCallback (10000)");
  });

  it("is configurable, and applies to every command's list", async () => {
    const adapter = adapterWith({ maximumEventsPerCallback: 2 });
    // The seed examples list three pairs each.
    for (const [command, file] of [
      ["Sns.CallbackFriendAdd", "seed-003-friend-add.json"],
      ["Sns.CallbackFriendDelete", "seed-004-friend-delete.json"],
    ] as const) {
      const request = buildTencentCallback({ sdkAppId, token, command, body: fixture(file), requestTime: fixedRequestTime });
      expect(await refusalOf(adapter.receive(request))).toMatchObject({ code: "too_many_events", status: 413 });
    }
    for (const command of ["Sns.CallbackBlackListAdd", "Sns.CallbackBlackListDelete"]) {
      expect(await refusalOf(adapter.receive(signed(command, { CallbackCommand: command, PairList: pairs(3) })))).toMatchObject({ code: "too_many_events" });
      expect((await adapter.receive(signed(command, { CallbackCommand: command, PairList: pairs(2) }))).events).toHaveLength(2);
    }
    const items = [{ To_Account: "a" }, { To_Account: "b" }, { To_Account: "c" }];
    const prevAdd = { CallbackCommand: "Sns.CallbackPrevFriendAdd", From_Account: "owner", FriendItem: items };
    expect(await refusalOf(adapter.receive(signed(prevAdd.CallbackCommand, prevAdd)))).toMatchObject({ code: "too_many_events" });
    const prevResponse = { CallbackCommand: "Sns.CallbackPrevFriendResponse", From_Account: "owner", ResponseFriendItem: items };
    expect(await refusalOf(adapter.receive(signed(prevResponse.CallbackCommand, prevResponse)))).toMatchObject({ code: "too_many_events" });
  });

  it("counts the list before any entry is validated or decided", async () => {
    let asked = 0;
    const adapter = adapterWith({
      maximumEventsPerCallback: 100,
      decide: () => {
        asked += 1;
        return { allow: true };
      },
    });
    const FriendItem = Array.from({ length: 101 }, (_, index) => ({ To_Account: `user-${index}` }));
    const prevAdd = { CallbackCommand: "Sns.CallbackPrevFriendAdd", From_Account: "owner", FriendItem };
    expect(await refusalOf(adapter.receive(signed(prevAdd.CallbackCommand, prevAdd)))).toMatchObject({ code: "too_many_events" });
    expect(asked).toBe(0);
    // Entries that would not even validate: the count alone refuses them.
    const malformed = { CallbackCommand: "Sns.CallbackFriendDelete", PairList: Array.from({ length: 101 }, () => ({})) };
    expect(await refusalOf(adapter.receive(signed(malformed.CallbackCommand, malformed)))).toMatchObject({ code: "too_many_events" });
  });

  it("still authenticates first: an unsigned flood is refused for its signature, not its size", async () => {
    const command = "Sns.CallbackFriendDelete";
    const unsigned = buildTencentCallback({ sdkAppId, command, body: { CallbackCommand: command, PairList: pairs(10_001) } });
    expect(await refusalOf(adapterWith().receive(unsigned))).toMatchObject({ code: "missing_signature" });
  });

  it("refuses a setting that is not a positive integer", () => {
    for (const maximumEventsPerCallback of [0, -1, 1.5]) {
      expect(() => adapterWith({ maximumEventsPerCallback })).toThrow(/maximumEventsPerCallback/);
    }
  });
});
