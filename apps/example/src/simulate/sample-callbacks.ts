import { randomUUID } from "node:crypto";
import type { ProviderRequest } from "@friendhook/core";
import { type EasemobCallbackInit, buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback } from "@friendhook/tencent";

export interface SampleCallback {
  /** The route it goes to: `/webhooks/<provider>`. */
  readonly provider: "easemob" | "tencent" | "openim";
  /** The provider's operation or command. */
  readonly label: string;
  readonly description: string;
  readonly request: ProviderRequest;
}

export interface EasemobCredentials {
  readonly secret: string;
  readonly appKey: string;
}

export interface TencentCredentials {
  readonly sdkAppId: string;
  readonly token: string | undefined;
}

export interface OpenImCredentials {
  readonly token: string | undefined;
}

/** Message ids unique to this run, so that every run stores new events (a retry would store none). */
function messageIds(): () => string {
  const runPrefix = String(Date.now());
  let counter = 0;
  return () => `${runPrefix}${String((counter += 1)).padStart(4, "0")}`;
}

/**
 * Every Easemob roster operation, as a story: alice and bob become friends (both views of one
 * accept), bob declines carol (both views), alice adds then removes dave, blocks erin, blocks and
 * unblocks dave, and fails to block frank. Afterwards alice has bob as a friend and erin blocked.
 */
export function easemobSamples({ secret, appKey }: EasemobCredentials): SampleCallback[] {
  const nextMessageId = messageIds();
  // The story happened over the last minute, one action a second.
  let clock = Date.now() - 60_000;
  /** The next action: a message id and a time one second after the previous action. */
  const nextAction = () => ({ messageId: nextMessageId(), timestamp: (clock += 1000) });
  // Easemob sends `from` as a JID; the adapter turns it back into the bare user id.
  const jid = (user: string) => `${appKey}_${user}@easemob.com`;
  const sample = (description: string, init: Omit<EasemobCallbackInit, "secret" | "appKey">): SampleCallback => ({
    provider: "easemob",
    label: init.errorCode !== undefined && init.errorCode !== "ok" ? `${init.operation} (failed)` : init.operation,
    description,
    request: buildEasemobCallback({ secret, appKey, ...init, from: jid(init.from) }),
  });

  const samples = [sample("alice asks bob to be friends", { operation: "add", from: "alice", to: "bob", reason: "Hi Bob, it's Alice", ...nextAction() })];
  const bobAccepts = nextAction();
  samples.push(
    sample("bob accepts (the view sent to bob)", { operation: "accept", from: "alice", to: "bob", rosterVersion: "R1", ...bobAccepts }),
    sample("bob accepts (the view sent to alice: same msg_id, stored once)", {
      operation: "remote_accept",
      from: "bob",
      to: "alice",
      rosterVersion: "R2",
      ...bobAccepts,
    }),
    sample("carol asks bob to be friends", { operation: "add", from: "carol", to: "bob", ...nextAction() }),
  );
  const bobDeclines = nextAction();
  samples.push(
    sample("bob declines carol (the view sent to bob)", { operation: "decline", from: "carol", to: "bob", ...bobDeclines }),
    sample("bob declines carol (the view sent to carol)", { operation: "remote_decline", from: "bob", to: "carol", ...bobDeclines }),
    sample("dave asks alice to be friends", { operation: "add", from: "dave", to: "alice", ...nextAction() }),
    sample("alice accepts dave", { operation: "accept", from: "dave", to: "alice", ...nextAction() }),
    sample("alice removes dave", { operation: "remove", from: "alice", to: "dave", rosterVersion: "R3", ...nextAction() }),
    sample("alice blocks erin", { operation: "ban", from: "alice", to: "erin", ...nextAction() }),
    sample("alice blocks dave", { operation: "ban", from: "alice", to: "dave", ...nextAction() }),
    sample("alice unblocks dave", { operation: "allow", from: "alice", to: "dave", ...nextAction() }),
    sample("alice tries to block frank; Easemob reports a failure", {
      operation: "ban",
      from: "alice",
      to: "frank",
      errorCode: "service_unavailable",
      ...nextAction(),
    }),
  );
  return samples;
}

/**
 * Every Tencent IM `Sns.*` command, as a story: alice asks bob (a "before" callback the app
 * answers), bob agrees (another), they become friends; an administrator makes alice and carol
 * friends and they part; alice blocks dave and erin and unblocks erin. Then a message callback
 * that is not about friends at all. Afterwards alice has bob as a friend and dave blocked.
 */
export function tencentSamples({ sdkAppId, token }: TencentCredentials): SampleCallback[] {
  const sample = (description: string, command: string, body: Record<string, unknown>): SampleCallback => ({
    provider: "tencent",
    label: command,
    description,
    request: buildTencentCallback({
      sdkAppId,
      command,
      ...(token === undefined ? {} : { token }),
      clientIp: "203.0.113.7",
      optPlatform: "iOS",
      body: { CallbackCommand: command, ...body, RequestId: randomUUID() },
    }),
  });
  const pair = (from: string, to: string, initiator?: string) => ({
    From_Account: from,
    To_Account: to,
    ...(initiator === undefined ? {} : { Initiator_Account: initiator }),
  });

  return [
    sample("alice asks bob; the app decides before Tencent sends the request", "Sns.CallbackPrevFriendAdd", {
      Requester_Account: "alice",
      From_Account: "alice",
      FriendItem: [{ To_Account: "bob", Remark: "Bob", GroupName: "Friends", AddSource: "AddSource_Type_Search", AddWording: "Hi Bob, it's Alice" }],
      AddType: "Add_Type_Both",
      ForceAddFlags: 0,
      EventTime: Date.now(),
    }),
    sample("bob agrees; the app decides before Tencent applies it", "Sns.CallbackPrevFriendResponse", {
      Requester_Account: "bob",
      From_Account: "bob",
      ResponseFriendItem: [{ To_Account: "alice", Remark: "Alice", TagName: "Friends", ResponseAction: "Response_Action_AgreeAndAdd" }],
      EventTime: Date.now(),
    }),
    sample("alice and bob are friends (both directions)", "Sns.CallbackFriendAdd", {
      PairList: [pair("alice", "bob", "alice"), pair("bob", "alice", "alice")],
      ClientCmd: "friend_response",
      Admin_Account: "",
      ForceFlag: 0,
    }),
    sample("an administrator makes alice and carol friends", "Sns.CallbackFriendAdd", {
      PairList: [pair("alice", "carol", "alice"), pair("carol", "alice", "alice")],
      ClientCmd: "friend_add",
      Admin_Account: "administrator",
      ForceFlag: 1,
    }),
    sample("alice and carol are friends no more", "Sns.CallbackFriendDelete", {
      PairList: [pair("alice", "carol"), pair("carol", "alice")],
    }),
    sample("alice blocks dave and erin", "Sns.CallbackBlackListAdd", { PairList: [pair("alice", "dave"), pair("alice", "erin")] }),
    sample("alice unblocks erin", "Sns.CallbackBlackListDelete", { PairList: [pair("alice", "erin")] }),
    sample("a message callback on the same URL: acknowledged, kept as unrecognized", "C2C.CallbackAfterSendMsg", {
      From_Account: "alice",
      To_Account: "bob",
      MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "see you at 8" } }],
    }),
  ];
}

/**
 * The OpenIM friend and blacklist callbacks, as a story: alice asks bob (the before-callback the
 * app answers, then the after-callback of the same call: one event), bob agrees (both callbacks
 * again), an administrator imports carol and dave as alice's friends, alice deletes dave, blocks
 * erin, blocks and unblocks frank, sets a remark, and a group callback shares the URL. Afterwards
 * alice has bob and carol as friends and erin blocked.
 */
export function openImSamples({ token }: OpenImCredentials): SampleCallback[] {
  /** One API call of OpenIM's: its before- and after-callbacks share the operationID. */
  const operation = messageIds();
  type Body = Readonly<Record<string, unknown>> & { readonly callbackCommand: string };
  const sample = (description: string, body: Body, operationId: string): SampleCallback => ({
    provider: "openim",
    label: body.callbackCommand,
    description,
    // OpenIM sends the token as the password of its webhook URL (HTTP Basic).
    request: openImCallbackRequest({ body, operationId, ...(token === undefined ? {} : { token, tokenScheme: "basic" as const }) }),
  });
  const aliceAsksBob = operation();
  const bobAgrees = operation();
  return [
    sample(
      "alice asks bob; the app decides before OpenIM stores the request",
      openImCallbackBodies.beforeAddFriend({ fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob, it's Alice" }),
      aliceAsksBob,
    ),
    sample(
      "the request is stored (same operationID: stored once)",
      openImCallbackBodies.afterAddFriend({ fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob, it's Alice" }),
      aliceAsksBob,
    ),
    sample("bob agrees; the app decides before OpenIM applies it", openImCallbackBodies.beforeAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), bobAgrees),
    sample("alice and bob are friends", openImCallbackBodies.afterAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), bobAgrees),
    sample(
      "an administrator imports carol and dave as alice's friends",
      openImCallbackBodies.afterImportFriends({ ownerUserID: "alice", friendUserIDs: ["carol", "dave"] }),
      operation(),
    ),
    sample("alice deletes dave (from her list only)", openImCallbackBodies.afterDeleteFriend({ ownerUserID: "alice", friendUserID: "dave" }), operation()),
    sample("alice blocks erin", openImCallbackBodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "erin" }), operation()),
    sample("alice blocks frank", openImCallbackBodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "frank" }), operation()),
    sample("alice unblocks frank", openImCallbackBodies.afterRemoveBlack({ ownerUserID: "alice", blackUserID: "frank" }), operation()),
    sample(
      "alice renames bob: not a relationship change, kept as unrecognized",
      openImCallbackBodies.afterSetFriendRemark({ ownerUserID: "alice", friendUserID: "bob", remark: "Bobby" }),
      operation(),
    ),
    sample(
      "a group callback on the same URL: acknowledged, kept as unrecognized",
      { callbackCommand: "callbackAfterCreateGroupCommand", groupID: "g-1", ownerUserID: "alice" },
      operation(),
    ),
  ];
}
