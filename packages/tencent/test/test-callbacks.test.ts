import { FriendEventSchema } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildTencentCallback, tencentCallbackBodies } from "../src/index";
import { adapterWith, fixedNow, fixedRequestTime, fixture, receivedAt, sdkAppId, token } from "./support";

function signed(body: Record<string, unknown>) {
  return buildTencentCallback({ sdkAppId, token, body, requestTime: fixedRequestTime, receivedAt });
}

describe("tencentCallbackBodies", () => {
  it("writes Sns.CallbackFriendAdd as Tencent's documented example (seed 003), field for field and in order", () => {
    const body = tencentCallbackBodies.friendAdd({
      pairs: ["id1", "id2", "id3"].map((toAccount) => ({ fromAccount: "id", toAccount })),
      forceFlag: 1,
    });
    expect(JSON.stringify(body)).toBe(JSON.stringify(JSON.parse(fixture("seed-003-friend-add.json"))));
  });

  it("writes Sns.CallbackFriendDelete as Tencent's documented example (seed 004) and as real traffic", () => {
    const documented = tencentCallbackBodies.friendDelete({
      pairs: ["id1", "id2", "id3"].map((toAccount) => ({ fromAccount: "id", toAccount, timeStamp: 1432000000 })),
    });
    expect(JSON.stringify(documented)).toBe(JSON.stringify(JSON.parse(fixture("seed-004-friend-delete.json"))));
    const traffic = tencentCallbackBodies.friendDelete({
      pairs: [
        { fromAccount: "211172", toAccount: "425214" },
        { fromAccount: "425214", toAccount: "211172" },
      ],
      clientIp: "36.112.173.178",
      optPlatform: "iOS",
      requestId: "2ea4e023-…",
    });
    expect(JSON.stringify(traffic)).toBe(fixture("real-traffic-friend-delete.json").trim());
  });

  it("writes the before-callbacks with every field of Tencent's examples", () => {
    expect(
      tencentCallbackBodies.prevFriendAdd({
        fromAccount: "id",
        friendItems: [{ toAccount: "id1", remark: "remark1", groupName: "group1", addWording: "this is id1!" }],
        forceAddFlags: 1,
        eventTime: 1670574414123,
      }),
    ).toStrictEqual({
      CallbackCommand: "Sns.CallbackPrevFriendAdd",
      Requester_Account: "id",
      From_Account: "id",
      FriendItem: [{ To_Account: "id1", Remark: "remark1", GroupName: "group1", AddSource: "AddSource_Type_Android", AddWording: "this is id1!" }],
      AddType: "Add_Type_Both",
      ForceAddFlags: 1,
      EventTime: 1670574414123,
    });
    expect(
      tencentCallbackBodies.prevFriendResponse({
        fromAccount: "id",
        responseFriendItems: [{ toAccount: "id1", remark: "remark1", tagName: "group1", responseAction: "Response_Action_AgreeAndAdd" }],
        eventTime: 1670574414123,
      }),
    ).toStrictEqual({
      CallbackCommand: "Sns.CallbackPrevFriendResponse",
      Requester_Account: "id",
      From_Account: "id",
      ResponseFriendItem: [{ To_Account: "id1", Remark: "remark1", TagName: "group1", ResponseAction: "Response_Action_AgreeAndAdd" }],
      EventTime: 1670574414123,
    });
  });

  it("gives bodies the adapter turns into the events of each command", async () => {
    const pairs = [{ fromAccount: "alice", toAccount: "bob" }];
    const cases = [
      [tencentCallbackBodies.friendAdd({ pairs, clientCmd: "friend_response" }), ["friend.added"]],
      [tencentCallbackBodies.friendDelete({ pairs }), ["friend.removed"]],
      [tencentCallbackBodies.blackListAdd({ pairs }), ["friend.blocked"]],
      [tencentCallbackBodies.blackListDelete({ pairs }), ["friend.unblocked"]],
      [tencentCallbackBodies.prevFriendAdd({ fromAccount: "alice", friendItems: [{ toAccount: "bob" }] }), ["friend.request.sent"]],
      [
        tencentCallbackBodies.prevFriendResponse({
          fromAccount: "bob",
          responseFriendItems: [
            { toAccount: "alice", responseAction: "Response_Action_Agree" },
            { toAccount: "carol", responseAction: "Response_Action_Reject" },
          ],
        }),
        ["friend.request.accepted", "friend.request.declined"],
      ],
    ] as const;
    for (const [body, types] of cases) {
      const received = await adapterWith().receive(signed(body));
      expect(received.command).toBe(body.CallbackCommand);
      expect(received.unrecognized).toBeUndefined();
      expect(received.events.map((event) => event.type)).toEqual(types);
      for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
    }
  });

  it("puts the details Tencent sends where the events carry them", async () => {
    const body = tencentCallbackBodies.friendAdd({
      pairs: [
        { fromAccount: "alice", toAccount: "bob" },
        { fromAccount: "bob", toAccount: "alice" },
      ],
      clientCmd: "friend_response",
      adminAccount: "administrator",
      clientIp: "203.0.113.7",
      optPlatform: "Android",
    });
    const received = await adapterWith().receive(signed(body));
    expect(received.events.map((event) => [event.actor, event.target, event.details])).toEqual([
      ["alice", "bob", { initiator: "alice", trigger: "response", adminAccount: "administrator", forced: false }],
      ["bob", "alice", { initiator: "alice", trigger: "response", adminAccount: "administrator", forced: false }],
    ]);
    expect(received.events[0]?.source).toMatchObject({ clientIp: "203.0.113.7", platform: "Android" });

    const request = tencentCallbackBodies.prevFriendAdd({
      fromAccount: "alice",
      friendItems: [{ toAccount: "bob", addWording: "hello" }],
      eventTime: fixedNow.getTime(),
    });
    const [sent] = (await adapterWith().receive(signed(request))).events;
    expect(sent).toMatchObject({ occurredAt: fixedNow.toISOString(), details: { message: "hello", addType: "two_way" } });
  });

  it("identifies events by the RequestId when one is given, as Tencent's retries keep it", async () => {
    const pairs = [{ fromAccount: "alice", toAccount: "bob" }];
    const ids = async (requestId: string) =>
      (await adapterWith().receive(signed(tencentCallbackBodies.blackListAdd({ pairs, requestId })))).events.map((event) => event.id);
    expect(await ids("request-1")).toEqual(await ids("request-1"));
    expect(await ids("request-1")).not.toEqual(await ids("request-2"));
  });
});

describe("buildTencentCallback", () => {
  it("puts the body's CallbackCommand in the URL when no command is given", () => {
    const request = signed(tencentCallbackBodies.friendDelete({ pairs: [{ fromAccount: "alice", toAccount: "bob" }] }));
    expect(request.query.get("CallbackCommand")).toBe("Sns.CallbackFriendDelete");
    expect(request.query.get("SdkAppid")).toBe(sdkAppId);
    expect(request.query.get("RequestTime")).toBe(String(fixedRequestTime));
  });

  it("needs a command for a body given as text or bytes", () => {
    expect(() => buildTencentCallback({ sdkAppId, body: '{"CallbackCommand":"Sns.CallbackFriendDelete"}' })).toThrow(TypeError);
    expect(buildTencentCallback({ sdkAppId, command: "Sns.CallbackFriendDelete", body: "{}" }).query.get("CallbackCommand")).toBe(
      "Sns.CallbackFriendDelete",
    );
  });
});
