import { describe, expect, it } from "vitest";
import { buildTencentCallback } from "../src/index";
import { acknowledgementBody, adapterWith, fixedRequestTime, sdkAppId, token } from "./support";

const ok = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

describe("callbacks outside what the adapter maps", () => {
  it("acknowledges another family sharing the URL, with no events", async () => {
    const command = "C2C.CallbackAfterSendMsg";
    const body = { CallbackCommand: command, From_Account: "jared", To_Account: "Jonh", MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "red packet" } }] };
    const received = await adapterWith().receive(buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime }));
    expect(received).toMatchObject({ provider: "tencent", appId: sdkAppId, command, events: [] });
    expect(received.unrecognized).toEqual({ command, reason: expect.stringContaining("not a relationship") });
    expect(received.acknowledgement.status).toBe(200);
    expect(acknowledgementBody(received.acknowledgement)).toEqual(ok);
  });

  it("acknowledges an Sns command it does not know, with no events", async () => {
    const command = "Sns.CallbackFriendRemarkChange";
    const received = await adapterWith().receive(
      buildTencentCallback({ sdkAppId, token, command, body: { CallbackCommand: command, Whatever: [1] }, requestTime: fixedRequestTime }),
    );
    expect(received.events).toEqual([]);
    expect(received.unrecognized).toEqual({ command, reason: expect.stringContaining("does not know") });
    expect(acknowledgementBody(received.acknowledgement)).toEqual(ok);
  });

  it("still authenticates them first", async () => {
    const command = "Group.CallbackAfterNewMemberJoin";
    const request = buildTencentCallback({ sdkAppId, token: "wrong-token", command, body: { CallbackCommand: command }, requestTime: fixedRequestTime });
    await expect(adapterWith().receive(request)).rejects.toMatchObject({ code: "invalid_signature" });
  });
});

describe("malformed relationship callbacks", () => {
  const refuse = (command: string, body: unknown) =>
    adapterWith().receive(buildTencentCallback({ sdkAppId, token, command, body: body as Record<string, unknown>, requestTime: fixedRequestTime }));

  it("refuses a PairList that is missing or holds a pair without accounts, with invalid_payload 400", async () => {
    await expect(refuse("Sns.CallbackFriendAdd", { CallbackCommand: "Sns.CallbackFriendAdd" })).rejects.toMatchObject({ code: "invalid_payload", status: 400 });
    const error = refuse("Sns.CallbackBlackListAdd", { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "a", To_Account: "" }] });
    await expect(error).rejects.toMatchObject({ code: "invalid_payload", message: expect.stringContaining("PairList.0.To_Account") });
    await expect(refuse("Sns.CallbackPrevFriendAdd", { CallbackCommand: "Sns.CallbackPrevFriendAdd", FriendItem: [] })).rejects.toMatchObject({ code: "invalid_payload" });
  });

  it("drops descriptive fields of the wrong type instead of refusing the change", async () => {
    const received = await refuse("Sns.CallbackFriendAdd", {
      CallbackCommand: "Sns.CallbackFriendAdd",
      PairList: [{ From_Account: "a", To_Account: "b", Initiator_Account: 42, TimeStamp: "soon" }],
      ClientCmd: ["friend_add"],
      ForceFlag: "1",
      RequestId: "tolerant-1",
    });
    expect(received.events).toHaveLength(1);
    expect(received.events[0]?.details).toEqual({ forced: true });
    expect(received.events[0]?.occurredAt).toBe(received.events[0]?.receivedAt);
  });

  it("accepts an empty PairList with no events", async () => {
    const received = await refuse("Sns.CallbackFriendDelete", { CallbackCommand: "Sns.CallbackFriendDelete", PairList: [] });
    expect(received.events).toEqual([]);
    expect(received.unrecognized).toBeUndefined();
    expect(acknowledgementBody(received.acknowledgement)).toEqual(ok);
  });

  it("does not pollute prototypes through a loose body", async () => {
    const body = '{"CallbackCommand":"Sns.CallbackFriendDelete","PairList":[{"From_Account":"a","To_Account":"b","__proto__":{"polluted":true}}],"__proto__":{"polluted":true},"RequestId":"p"}';
    const received = await adapterWith().receive(
      buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendDelete", body, requestTime: fixedRequestTime }),
    );
    expect(received.events).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
