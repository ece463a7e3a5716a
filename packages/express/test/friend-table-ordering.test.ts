import { buildTencentCallback } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { fixture, sdkAppId, send, startService, tencentToken } from "./support";

const tencent = (command: string, body: unknown) =>
  buildTencentCallback({ sdkAppId, token: tencentToken, command, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("the friend table across providers' clocks (Tencent, end to end)", () => {
  it("does not keep two friends when a FriendDelete timed in whole seconds follows a FriendAdd without a time", async () => {
    const service = await startService();
    // Seed 003: Sns.CallbackFriendAdd has no time; occurredAt is the receive time, in milliseconds.
    expect((await send(service.url, "/callbacks/tencent", tencent("Sns.CallbackFriendAdd", fixture("seed-003-friend-add.json")))).status).toBe(200);
    const [added] = (await service.read.events()).events;
    expect(added?.occurredAtSource).toBe("received");
    // Seed 004's shape: the delete's TimeStamp names the start of its second, which began before
    // the add was received (as when the delete comes a few milliseconds later).
    const timeStamp = Math.floor((Date.parse(added?.receivedAt ?? "") - 1) / 1000);
    const deleted = { CallbackCommand: "Sns.CallbackFriendDelete", PairList: [{ From_Account: "id", To_Account: "id1", TimeStamp: timeStamp }] };
    expect((await send(service.url, "/callbacks/tencent", tencent("Sns.CallbackFriendDelete", deleted)))).toMatchObject({ status: 200 });
    expect(await service.read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "id" })).toEqual({ friends: ["id2", "id3"], blocked: [] });
  });

  it("lets a real BlackListDelete lift a BlackListAdd dated 9999", async () => {
    const service = await startService();
    const pair = (timeStamp: number) => [{ From_Account: "id", To_Account: "id4", TimeStamp: timeStamp }];
    const forged = { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: pair(253_402_300_799) };
    expect((await send(service.url, "/callbacks/tencent", tencent("Sns.CallbackBlackListAdd", forged))).status).toBe(200);
    expect(await service.read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "id" })).toEqual({ friends: [], blocked: ["id4"] });
    const lifted = { CallbackCommand: "Sns.CallbackBlackListDelete", PairList: pair(Math.floor(Date.now() / 1000)) };
    expect((await send(service.url, "/callbacks/tencent", tencent("Sns.CallbackBlackListDelete", lifted))).status).toBe(200);
    expect(await service.read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "id" })).toEqual({ friends: [], blocked: [] });
  });
});
