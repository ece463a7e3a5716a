import { deriveEventId, type FriendRequestPolicy, type PendingFriendRequest, storedCallbackOf } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildTencentCallback, defaultTencentDenialCode } from "../src/index";
import { acknowledgementBody, adapterWith, fixedRequestTime, receivedAt, sdkAppId, token } from "./support";

// Shaped as Tencent documents Sns.CallbackPrevFriendAdd and Sns.CallbackPrevFriendResponse.
const prevFriendAdd = {
  CallbackCommand: "Sns.CallbackPrevFriendAdd",
  Requester_Account: "id",
  From_Account: "id",
  FriendItem: [
    { To_Account: "id1", Remark: "remark1", GroupName: "group1", AddSource: "AddSource_Type_Android", AddWording: "this is id1!" },
    { To_Account: "id2", Remark: "remark2", GroupName: "group2", AddSource: "AddSource_Type_Android", AddWording: "this is id2!" },
  ],
  AddType: "Add_Type_Both",
  ForceAddFlags: 1,
  EventTime: 1670574414123,
};

const prevFriendResponse = {
  CallbackCommand: "Sns.CallbackPrevFriendResponse",
  Requester_Account: "id",
  From_Account: "id",
  ResponseFriendItem: [
    { To_Account: "id1", Remark: "remark1", TagName: "group1", ResponseAction: "Response_Action_AgreeAndAdd" },
    { To_Account: "id2", Remark: "remark2", TagName: "group2", ResponseAction: "Response_Action_Agree" },
    { To_Account: "id3", Remark: "remark3", TagName: "group3", ResponseAction: "Response_Action_Reject" },
  ],
  EventTime: 1670574414123,
};

function callback(body: { CallbackCommand: string; [field: string]: unknown }) {
  return buildTencentCallback({ sdkAppId, token, command: body.CallbackCommand, body, requestTime: fixedRequestTime, receivedAt });
}

const allowed = (target: string) => ({ To_Account: target, ResultCode: 0, ResultInfo: "" });

describe("Sns.CallbackPrevFriendAdd", () => {
  it("allows everything by default and emits friend.request.sent per request", async () => {
    const received = await adapterWith().receive(callback(prevFriendAdd));
    expect(received.acknowledgement.status).toBe(200);
    expect(acknowledgementBody(received.acknowledgement)).toEqual({
      ActionStatus: "OK",
      ErrorCode: 0,
      ErrorInfo: "",
      ResultItem: [allowed("id1"), allowed("id2")],
    });
    expect(received.events).toEqual(
      [1, 2].map((index) => ({
        id: deriveEventId({
          provider: "tencent",
          appId: sdkAppId,
          type: "friend.request.sent",
          parts: ["time", "Sns.CallbackPrevFriendAdd", "id", `id${index}`, 1670574414123],
        }),
        type: "friend.request.sent",
        provider: "tencent",
        appId: sdkAppId,
        actor: "id",
        target: `id${index}`,
        mutual: false,
        occurredAt: "2022-12-09T08:26:54.123Z",
        occurredAtSource: "provider-milliseconds",
        receivedAt: receivedAt.toISOString(),
        source: { command: "Sns.CallbackPrevFriendAdd" },
        details: {
          message: `this is id${index}!`,
          remark: `remark${index}`,
          group: `group${index}`,
          addSource: "AddSource_Type_Android",
          addType: "two_way",
          forced: true,
        },
      })),
    );
  });

  it("reads Add_Type_Single as one_way", async () => {
    const received = await adapterWith().receive(callback({ ...prevFriendAdd, AddType: "Add_Type_Single", ForceAddFlags: 0 }));
    expect(received.events[0]?.details).toMatchObject({ addType: "one_way", forced: false });
  });

  it("asks the policy once per request with what it needs, and writes a denial into ResultItem", async () => {
    const asked: PendingFriendRequest[] = [];
    const decide: FriendRequestPolicy = (request) => {
      asked.push(request);
      return request.target === "id2" ? { allow: false, code: 38002, reason: "id2 does not take requests" } : { allow: true };
    };
    const request = callback(prevFriendAdd);
    const received = await adapterWith({ decide }).receive(request);
    // Each names the callback, by the id a receiver keeps it under.
    const callbackId = storedCallbackOf(received, request).id;
    expect(asked).toEqual([
      { provider: "tencent", appId: sdkAppId, stage: "request", actor: "id", target: "id1", message: "this is id1!", callbackId },
      { provider: "tencent", appId: sdkAppId, stage: "request", actor: "id", target: "id2", message: "this is id2!", callbackId },
    ]);
    expect(acknowledgementBody(received.acknowledgement)).toMatchObject({
      ActionStatus: "OK",
      ResultItem: [allowed("id1"), { To_Account: "id2", ResultCode: 38002, ResultInfo: "id2 does not take requests" }],
    });
    // The denied request never happens, so no event describes it.
    expect(received.events.map((event) => event.target)).toEqual(["id1"]);
  });

  it("replaces a denial code outside [38000, 39000] by 38000, and keeps the denial", async () => {
    for (const code of [1, 0, 37999, 39001, 38000.5, Number.NaN, undefined]) {
      const decide: FriendRequestPolicy = () => ({ allow: false, code, reason: "no" });
      const received = await adapterWith({ decide }).receive(callback(prevFriendAdd));
      expect(acknowledgementBody(received.acknowledgement)).toMatchObject({
        ResultItem: [
          { To_Account: "id1", ResultCode: defaultTencentDenialCode, ResultInfo: "no" },
          { To_Account: "id2", ResultCode: defaultTencentDenialCode, ResultInfo: "no" },
        ],
      });
      expect(received.events).toEqual([]);
    }
    for (const code of [38000, 38500, 39000]) {
      const received = await adapterWith({ decide: () => ({ allow: false, code }) }).receive(callback(prevFriendAdd));
      expect(acknowledgementBody(received.acknowledgement)).toMatchObject({
        ResultItem: [
          { To_Account: "id1", ResultCode: code, ResultInfo: "" },
          { To_Account: "id2", ResultCode: code, ResultInfo: "" },
        ],
      });
    }
  });

  it("allows when the policy misses the deadline", async () => {
    const decide: FriendRequestPolicy = () => new Promise(() => undefined);
    const received = await adapterWith({ decide, decisionDeadlineMs: 30 }).receive(callback(prevFriendAdd));
    expect(acknowledgementBody(received.acknowledgement)).toMatchObject({ ResultItem: [allowed("id1"), allowed("id2")] });
    expect(received.events).toHaveLength(2);
  });

  it("keeps the answers that came in time when others miss the deadline", async () => {
    const decide: FriendRequestPolicy = (request) =>
      request.target === "id1" ? { allow: false, code: 38001, reason: "spam" } : new Promise(() => undefined);
    const received = await adapterWith({ decide, decisionDeadlineMs: 30 }).receive(callback(prevFriendAdd));
    expect(acknowledgementBody(received.acknowledgement)).toMatchObject({
      ResultItem: [{ To_Account: "id1", ResultCode: 38001, ResultInfo: "spam" }, allowed("id2")],
    });
    expect(received.events.map((event) => event.target)).toEqual(["id2"]);
  });

  it("allows when the policy throws or rejects, and when it returns something that is not a decision", async () => {
    const policies: FriendRequestPolicy[] = [
      () => {
        throw new Error("moderation service down");
      },
      () => Promise.reject(new Error("timeout")),
      () => undefined as never,
      () => ({ allow: "no" }) as never,
    ];
    for (const decide of policies) {
      const received = await adapterWith({ decide }).receive(callback(prevFriendAdd));
      expect(acknowledgementBody(received.acknowledgement)).toMatchObject({ ResultItem: [allowed("id1"), allowed("id2")] });
      expect(received.events).toHaveLength(2);
    }
  });

  it("asks about every request at once, under one deadline for the whole callback", async () => {
    const items = Array.from({ length: 40 }, (_, index) => ({ To_Account: `user-${index}`, AddWording: "hi" }));
    // The policy answers only once it has been asked about every request: it can meet the deadline
    // only if the requests are evaluated concurrently, not one after another.
    let release: () => void = () => undefined;
    const everyoneAsked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = 0;
    const decide: FriendRequestPolicy = async () => {
      asked += 1;
      if (asked === items.length) release();
      await everyoneAsked;
      return { allow: false, code: 38009, reason: "batch refused" };
    };
    const received = await adapterWith({ decide, decisionDeadlineMs: 1000 }).receive(callback({ ...prevFriendAdd, FriendItem: items }));
    const body = acknowledgementBody(received.acknowledgement) as { ResultItem: Array<{ ResultCode: number }> };
    expect(body.ResultItem).toHaveLength(40);
    expect(body.ResultItem.every((item) => item.ResultCode === 38009)).toBe(true);
    expect(received.events).toEqual([]);
  });
});

describe("Sns.CallbackPrevFriendResponse", () => {
  it("emits accepted for Agree and AgreeAndAdd, declined for Reject; responder is the actor", async () => {
    const received = await adapterWith().receive(callback(prevFriendResponse));
    expect(acknowledgementBody(received.acknowledgement)).toEqual({
      ActionStatus: "OK",
      ErrorCode: 0,
      ErrorInfo: "",
      ResultItem: [allowed("id1"), allowed("id2"), allowed("id3")],
    });
    expect(received.events.map(({ type, actor, target, mutual, occurredAt, details }) => ({ type, actor, target, mutual, occurredAt, details }))).toEqual([
      {
        type: "friend.request.accepted",
        actor: "id",
        target: "id1",
        mutual: false,
        occurredAt: "2022-12-09T08:26:54.123Z",
        details: { remark: "remark1", group: "group1", responseAction: "Response_Action_AgreeAndAdd" },
      },
      {
        type: "friend.request.accepted",
        actor: "id",
        target: "id2",
        mutual: false,
        occurredAt: "2022-12-09T08:26:54.123Z",
        details: { remark: "remark2", group: "group2", responseAction: "Response_Action_Agree" },
      },
      {
        type: "friend.request.declined",
        actor: "id",
        target: "id3",
        mutual: false,
        occurredAt: "2022-12-09T08:26:54.123Z",
        details: { remark: "remark3", group: "group3", responseAction: "Response_Action_Reject" },
      },
    ]);
  });

  it("tells the policy whether the responder accepts, and drops the events of denied answers", async () => {
    const asked: PendingFriendRequest[] = [];
    const decide: FriendRequestPolicy = (request) => {
      asked.push(request);
      return request.accepting ? { allow: false, code: 38100, reason: "requester is banned" } : { allow: true };
    };
    const received = await adapterWith({ decide }).receive(callback(prevFriendResponse));
    expect(asked.map(({ stage, actor, target, accepting }) => ({ stage, actor, target, accepting }))).toEqual([
      { stage: "response", actor: "id", target: "id1", accepting: true },
      { stage: "response", actor: "id", target: "id2", accepting: true },
      { stage: "response", actor: "id", target: "id3", accepting: false },
    ]);
    expect(acknowledgementBody(received.acknowledgement)).toMatchObject({
      ResultItem: [
        { To_Account: "id1", ResultCode: 38100, ResultInfo: "requester is banned" },
        { To_Account: "id2", ResultCode: 38100, ResultInfo: "requester is banned" },
        allowed("id3"),
      ],
    });
    expect(received.events.map((event) => [event.type, event.target])).toEqual([["friend.request.declined", "id3"]]);
  });

  it("answers an unknown ResponseAction but emits no event for it", async () => {
    const body = { ...prevFriendResponse, ResponseFriendItem: [{ To_Account: "id9", ResponseAction: "Response_Action_Ignore" }] };
    const asked: PendingFriendRequest[] = [];
    const received = await adapterWith({ decide: (request) => (asked.push(request), { allow: true }) }).receive(callback(body));
    expect(asked[0]).not.toHaveProperty("accepting");
    expect(acknowledgementBody(received.acknowledgement)).toMatchObject({ ResultItem: [allowed("id9")] });
    expect(received.events).toEqual([]);
  });
});
