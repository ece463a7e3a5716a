import { FriendEventSchema, type FriendEvent, FriendhookError, type ReceivedCallback } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import {
  createOpenImAdapter,
  encodeLikeOpenIm,
  openImCallbackBodies,
  openImCallbackRequest,
  openImCommands,
} from "../src/index";
import { ana, ben, openImBodies, operationId } from "./fixtures";
import { refusalOf } from "@friendhook/testkit";

const receivedAt = new Date("2024-07-15T08:00:47.953Z");
const allowAnswer = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';

async function receive(body: string | object, options: { operationId?: string | null; pathCommand?: string | null } = {}) {
  const adapter = createOpenImAdapter();
  const received = await adapter.receive(
    openImCallbackRequest({ body, operationId: options.operationId === undefined ? operationId : options.operationId, receivedAt, ...options }),
  );
  for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
  return received;
}

const summary = (events: readonly FriendEvent[]) =>
  events.map(({ type, actor, target, mutual, details }) => ({ type, actor, target, mutual, details }));

describe("OpenIM friend callbacks, as open-im-server sends them", () => {
  it("callbackBeforeAddFriendCommand: an allowed request is friend.request.sent", async () => {
    const received = await receive(openImBodies.beforeAddFriend);
    expect(received).toMatchObject({ provider: "openim", appId: "openim", command: "callbackBeforeAddFriendCommand" });
    expect(summary(received.events)).toEqual([
      {
        type: "friend.request.sent",
        actor: ana,
        target: ben,
        mutual: false,
        details: { message: "Hi, it's Ana from the climbing gym <3", extension: '{"source":"search"}' },
      },
    ]);
    expect(received.acknowledgement).toEqual({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: allowAnswer,
    });
  });

  it("callbackAfterAddFriendCommand fires when the request is stored: friend.request.sent, never friend.added", async () => {
    const received = await receive(openImBodies.afterAddFriend);
    expect(summary(received.events)).toEqual([
      { type: "friend.request.sent", actor: ana, target: ben, mutual: false, details: { message: "Hi, it's Ana from the climbing gym <3" } },
    ]);
    const [event] = received.events;
    expect(event?.source).toEqual({ command: "callbackAfterAddFriendCommand", operationId });
    expect(event?.occurredAt).toBe(receivedAt.toISOString());
    expect(event?.receivedAt).toBe(receivedAt.toISOString());
    expect(received.acknowledgement.body).toBe(allowAnswer);
  });

  it("callbackBeforeAddFriendAgreeCommand: reads the answering user from the misnamed blackUserID tag", async () => {
    const received = await receive(openImBodies.beforeAddFriendAgree);
    expect(summary(received.events)).toEqual([
      { type: "friend.request.accepted", actor: ben, target: ana, mutual: false, details: { message: "Sure!" } },
    ]);
    expect(received.acknowledgement.body).toBe(allowAnswer);
  });

  it("callbackAfterAddFriendAgreeCommand: the request was accepted and the two are friends both ways", async () => {
    const received = await receive(openImBodies.afterAddFriendAgree);
    expect(summary(received.events)).toEqual([
      { type: "friend.request.accepted", actor: ben, target: ana, mutual: false, details: { message: "Sure!" } },
      { type: "friend.added", actor: ben, target: ana, mutual: true, details: { initiator: ana, trigger: "response" } },
    ]);
  });

  it("accepts the agree callbacks with the correct spellings too (toUserID, handleResult, handleMsg)", async () => {
    const corrected = {
      callbackCommand: openImCommands.afterAddFriendAgree,
      fromUserID: ana,
      toUserID: ben,
      handleResult: 1,
      handleMsg: "Sure!",
    };
    const asSent = await receive(openImBodies.afterAddFriendAgree);
    const asMeant = await receive(corrected);
    expect(asMeant.events).toEqual(asSent.events);
    const both = await receive({ ...corrected, blackUserID: ben });
    expect(both.events).toEqual(asSent.events);
  });

  it("refuses an agree callback whose two spellings name different users, or that names no answering user", async () => {
    const body = JSON.parse(openImBodies.afterAddFriendAgree) as Record<string, unknown>;
    const ambiguous = await refusalOf(receive({ ...body, toUserID: "someone-else" }));
    expect(ambiguous.code).toBe("invalid_payload");
    expect(ambiguous.message).toContain("blackUserID and toUserID name different users");
    const { blackUserID: _answeringUser, ...withoutAnsweringUser } = body;
    const missing = await refusalOf(receive(withoutAnsweringUser));
    expect(missing.code).toBe("invalid_payload");
    expect(missing.status).toBe(400);
  });

  it("reports a refusal as friend.request.declined, should a server send HandleResult -1", async () => {
    const body = { ...(JSON.parse(openImBodies.afterAddFriendAgree) as object), HandleResult: -1, HandleMsg: "No, sorry" };
    const received = await receive(body);
    expect(summary(received.events)).toEqual([
      { type: "friend.request.declined", actor: ben, target: ana, mutual: false, details: { message: "No, sorry" } },
    ]);
  });

  it("callbackAfterDeleteFriendCommand: one-way, as OpenIM deletes from the owner's list only", async () => {
    const received = await receive(openImBodies.afterDeleteFriend);
    expect(summary(received.events)).toEqual([{ type: "friend.removed", actor: ben, target: ana, mutual: false, details: {} }]);
  });

  it("callbackBeforeAddBlackCommand is the only report of a block: friend.blocked, allowed", async () => {
    const received = await receive(openImBodies.beforeAddBlack);
    expect(summary(received.events)).toEqual([{ type: "friend.blocked", actor: ben, target: ana, mutual: false, details: {} }]);
    expect(received.acknowledgement.body).toBe(allowAnswer);
  });

  it("callbackAfterRemoveBlackCommand: friend.unblocked", async () => {
    const received = await receive(openImBodies.afterRemoveBlack);
    expect(summary(received.events)).toEqual([{ type: "friend.unblocked", actor: ben, target: ana, mutual: false, details: {} }]);
  });

  it("callbackAfterImportFriendsCommand: one forced, mutual friend.added per imported friend", async () => {
    const received = await receive(openImBodies.afterImportFriends);
    const details = { initiator: "4123091876", trigger: "admin", forced: true };
    expect(summary(received.events)).toEqual([
      { type: "friend.added", actor: "4123091876", target: ana, mutual: true, details },
      { type: "friend.added", actor: "4123091876", target: ben, mutual: true, details },
    ]);
    expect(new Set(received.events.map((event) => event.id)).size).toBe(2);
  });

  it("an import that lists a user twice is one friendship, and Go's null list is none", async () => {
    const repeated = await receive(openImCallbackBodies.afterImportFriends({ ownerUserID: "4123091876", friendUserIDs: [ana, ana] }));
    expect(repeated.events).toHaveLength(1);
    const empty = await receive(openImCallbackBodies.afterImportFriends({ ownerUserID: "4123091876", friendUserIDs: null }));
    expect(empty.events).toEqual([]);
    expect(empty.unrecognized).toBeUndefined();
  });

  it.each([
    ["beforeImportFriends", "an import is reported once done"],
    ["beforeSetFriendRemark", "a remark is not a change to the relationship"],
    ["afterSetFriendRemark", "a remark is not a change to the relationship"],
  ] as const)("%s is acknowledged and allowed without events", async (name, reason) => {
    const received = await receive(openImBodies[name]);
    expect(received.events).toEqual([]);
    expect(received.unrecognized?.command).toBe((JSON.parse(openImBodies[name]) as { callbackCommand: string }).callbackCommand);
    expect(received.unrecognized?.reason).toContain(reason);
    expect(received.acknowledgement.body).toBe(allowAnswer);
  });

  it("acknowledges callbacks of other families (messages, groups) that share the webhook URL, without events", async () => {
    const body = { callbackCommand: "callbackBeforeSendSingleMsgCommand", sendID: ana, recvID: ben, content: "hi" };
    const received = await receive(body, { operationId: null });
    expect(received.events).toEqual([]);
    expect(received.unrecognized).toEqual({
      command: "callbackBeforeSendSingleMsgCommand",
      reason: expect.stringContaining("not an OpenIM friend or blacklist callback"),
    });
    expect(received.acknowledgement.body).toBe(allowAnswer);
  });

  it("accepts the capitalized command names of older OpenIM v3 servers, and reports them as sent", async () => {
    const body = openImBodies.afterAddFriend.replace("callbackAfterAddFriendCommand", "CallbackAfterAddFriendCommand");
    const received = await receive(body);
    expect(received.command).toBe("CallbackAfterAddFriendCommand");
    expect(received.events.map((event) => event.type)).toEqual(["friend.request.sent"]);
    expect(received.events[0]?.source.command).toBe("CallbackAfterAddFriendCommand");
  });

  it("decodes Go's HTML-safe escapes, as any JSON reader must", () => {
    expect(encodeLikeOpenIm({ reqMsg: "a<b>&c" })).toBe('{"reqMsg":"a\\u003cb\\u003e\\u0026c"}\n');
    const built = encodeLikeOpenIm(openImCallbackBodies.afterAddFriend({ fromUserID: ana, toUserID: ben, reqMsg: "Hi, it's Ana from the climbing gym <3" }));
    expect(built).toBe(openImBodies.afterAddFriend);
  });

  it("builds every fixture byte for byte from the exported body builders", () => {
    expect(encodeLikeOpenIm(openImCallbackBodies.beforeAddFriend({ fromUserID: ana, toUserID: ben, reqMsg: "Hi, it's Ana from the climbing gym <3", ex: '{"source":"search"}' }))).toBe(openImBodies.beforeAddFriend);
    expect(encodeLikeOpenIm(openImCallbackBodies.beforeAddFriendAgree({ fromUserID: ana, toUserID: ben, handleMsg: "Sure!" }))).toBe(openImBodies.beforeAddFriendAgree);
    expect(encodeLikeOpenIm(openImCallbackBodies.afterAddFriendAgree({ fromUserID: ana, toUserID: ben, handleMsg: "Sure!" }))).toBe(openImBodies.afterAddFriendAgree);
    expect(encodeLikeOpenIm(openImCallbackBodies.afterDeleteFriend({ ownerUserID: ben, friendUserID: ana }))).toBe(openImBodies.afterDeleteFriend);
    expect(encodeLikeOpenIm(openImCallbackBodies.beforeAddBlack({ ownerUserID: ben, blackUserID: ana }))).toBe(openImBodies.beforeAddBlack);
    expect(encodeLikeOpenIm(openImCallbackBodies.afterRemoveBlack({ ownerUserID: ben, blackUserID: ana }))).toBe(openImBodies.afterRemoveBlack);
    expect(encodeLikeOpenIm(openImCallbackBodies.beforeImportFriends({ ownerUserID: "imAdmin", friendUserIDs: [ana, ben] }))).toBe(openImBodies.beforeImportFriends);
    expect(encodeLikeOpenIm(openImCallbackBodies.afterImportFriends({ ownerUserID: "4123091876", friendUserIDs: [ana, ben] }))).toBe(openImBodies.afterImportFriends);
    expect(encodeLikeOpenIm(openImCallbackBodies.beforeSetFriendRemark({ ownerUserID: ben, friendUserID: ana, remark: "Ana (gym)" }))).toBe(openImBodies.beforeSetFriendRemark);
    expect(encodeLikeOpenIm(openImCallbackBodies.afterSetFriendRemark({ ownerUserID: ben, friendUserID: ana, remark: "Ana (gym)" }))).toBe(openImBodies.afterSetFriendRemark);
  });
});

describe("OpenIM event identity", () => {
  const idsOf = (received: ReceivedCallback) => received.events.map((event) => event.id);

  it("gives the before- and after-callback of one API call one id: the fact is stored once", async () => {
    const before = await receive(openImBodies.beforeAddFriend);
    const after = await receive(openImBodies.afterAddFriend);
    expect(idsOf(before)).toEqual(idsOf(after));
    const agreeBefore = await receive(openImBodies.beforeAddFriendAgree);
    const agreeAfter = await receive(openImBodies.afterAddFriendAgree);
    expect(idsOf(agreeAfter)[0]).toBe(idsOf(agreeBefore)[0]);
  });

  it("gives another API call (another operationID) other ids, even between the same users", async () => {
    const first = await receive(openImBodies.afterAddFriend, { operationId: "1721030447953426113" });
    const second = await receive(openImBodies.afterAddFriend, { operationId: "1721030512004519872" });
    expect(idsOf(first)).not.toEqual(idsOf(second));
  });

  it("keeps ids when the same callback arrives again later, and separates apps", async () => {
    const adapter = createOpenImAdapter({ appId: "openim-eu" });
    const request = openImCallbackRequest({ body: openImBodies.afterAddFriendAgree, operationId, receivedAt });
    const first = await adapter.receive(request);
    const again = await adapter.receive({ ...request, receivedAt: new Date(receivedAt.getTime() + 60_000) });
    expect(idsOf(again)).toEqual(idsOf(first));
    expect(first.events.every((event) => event.appId === "openim-eu")).toBe(true);
    const otherApp = await createOpenImAdapter({ appId: "openim-us" }).receive(request);
    expect(idsOf(otherApp)).not.toEqual(idsOf(first));
  });

  it("refuses a friend callback without the operationID header", async () => {
    const error = await refusalOf(receive(openImBodies.afterAddFriend, { operationId: null }));
    expect(error.code).toBe("invalid_payload");
    expect(error.message).toContain("operationID");
    const blank = await refusalOf(receive(openImBodies.afterAddFriend, { operationId: "   " }));
    expect(blank.code).toBe("invalid_payload");
    const huge = await refusalOf(receive(openImBodies.afterAddFriend, { operationId: "x".repeat(257) }));
    expect(huge.code).toBe("invalid_payload");
  });
});

describe("OpenIM request checks", () => {
  it("takes the command from the body, and checks it against the last path segment", async () => {
    const mismatch = await refusalOf(receive(openImBodies.afterAddFriend, { pathCommand: "callbackAfterDeleteFriendCommand" }));
    expect(mismatch.code).toBe("command_mismatch");
    expect(mismatch.status).toBe(400);
    const withoutCommandInPath = await receive(openImBodies.afterAddFriend, { pathCommand: null });
    expect(withoutCommandInPath.events).toHaveLength(1);
    const underOpenImsSampleUrl = await receive(openImBodies.afterAddFriend, { pathCommand: "callbackExample" });
    expect(underOpenImsSampleUrl.events).toHaveLength(1);
  });

  it("reads the command from a path with a trailing slash or under any mount point", async () => {
    const adapter = createOpenImAdapter();
    const request = openImCallbackRequest({ body: openImBodies.afterRemoveBlack, operationId, basePath: "/hooks/im/" });
    expect(request.path).toBe("/hooks/im/callbackAfterRemoveBlackCommand");
    expect((await adapter.receive({ ...request, path: `${request.path}/` })).events).toHaveLength(1);
  });

  it("refuses methods other than POST", async () => {
    const request = openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId });
    const error = await refusalOf(createOpenImAdapter().receive({ ...request, method: "GET" }));
    expect(error.code).toBe("method_not_allowed");
    expect(error.status).toBe(405);
  });

  it.each([
    ["a user id of the wrong type", { ...(JSON.parse(openImBodies.afterDeleteFriend) as object), friendUserID: 42 }],
    ["an empty user id (Go's zero value)", { ...(JSON.parse(openImBodies.afterAddFriend) as object), toUserID: "" }],
    ["a callbackCommand that is not a string", { callbackCommand: 7, fromUserID: ana, toUserID: ben }],
    ["friendUserIDs that is not a list", { ...(JSON.parse(openImBodies.afterImportFriends) as object), friendUserIDs: ana }],
  ])("refuses %s with invalid_payload", async (_name, body) => {
    const error = await refusalOf(receive(body, { pathCommand: null }));
    expect(error.code).toBe("invalid_payload");
    expect(error.status).toBe(400);
  });

  it("tolerates fields OpenIM may add, and descriptive fields of another type", async () => {
    const body = { ...(JSON.parse(openImBodies.afterAddFriend) as object), reqMsg: 12, platformID: 2 };
    const received = await receive(body);
    expect(summary(received.events)).toEqual([{ type: "friend.request.sent", actor: ana, target: ben, mutual: false, details: {} }]);
    const withExtension = await receive({ ...body, ex: '{"source":"qr"}' });
    expect(withExtension.events[0]?.details).toEqual({ extension: '{"source":"qr"}' });
  });

  it("never copies the body into events: the receiver keeps it once per callback", async () => {
    const request = openImCallbackRequest({ body: openImBodies.afterDeleteFriend, operationId });
    const received = await createOpenImAdapter().receive(request);
    expect(received.body).toBeUndefined();
    expect(received.events[0]).not.toHaveProperty("raw");
  });

  it("renders refusals in OpenIM's answer format, stopping a before-callback", () => {
    const response = createOpenImAdapter().refuse(new FriendhookError("store_unavailable", "The store could not persist the events."));
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      actionCode: 0,
      errCode: 80000,
      errMsg: "store_unavailable: The store could not persist the events.",
      errDlt: "",
      nextCode: 1,
    });
  });
});
