import { describeAdapterConformance } from "@friendhook/testkit";
import { buildTencentCallback, createTencentAdapter } from "../src/index";
import { fixture, sdkAppId, token } from "./support";

// The conformance suite signs with the real clock, so the adapter keeps its default one here.
const createAdapter = () => createTencentAdapter({ sdkAppIds: [sdkAppId], token });

const signed = (name: string, command: string, body: string | Record<string, unknown>) => ({
  name,
  request: () => buildTencentCallback({ sdkAppId, token, command, body }),
});

const now = () => Math.floor(Date.now() / 1000);
const seedFriendAdd = fixture("seed-003-friend-add.json");

describeAdapterConformance("tencent", {
  createAdapter,
  signedCallbacks: [
    signed("seed 003: Sns.CallbackFriendAdd", "Sns.CallbackFriendAdd", seedFriendAdd),
    signed("seed 004: Sns.CallbackFriendDelete", "Sns.CallbackFriendDelete", fixture("seed-004-friend-delete.json")),
    signed("real traffic: Sns.CallbackFriendDelete", "Sns.CallbackFriendDelete", fixture("real-traffic-friend-delete.json")),
    signed("Sns.CallbackBlackListAdd", "Sns.CallbackBlackListAdd", {
      CallbackCommand: "Sns.CallbackBlackListAdd",
      PairList: [{ From_Account: "alice", To_Account: "mallory" }],
    }),
    signed("Sns.CallbackBlackListDelete", "Sns.CallbackBlackListDelete", {
      CallbackCommand: "Sns.CallbackBlackListDelete",
      PairList: [{ From_Account: "alice", To_Account: "mallory" }],
    }),
    signed("Sns.CallbackPrevFriendAdd", "Sns.CallbackPrevFriendAdd", {
      CallbackCommand: "Sns.CallbackPrevFriendAdd",
      Requester_Account: "id",
      From_Account: "id",
      FriendItem: [{ To_Account: "id1", AddWording: "this is id1!" }],
      AddType: "Add_Type_Both",
      EventTime: 1670574414123,
    }),
    signed("Sns.CallbackPrevFriendResponse", "Sns.CallbackPrevFriendResponse", {
      CallbackCommand: "Sns.CallbackPrevFriendResponse",
      From_Account: "id",
      ResponseFriendItem: [{ To_Account: "id1", ResponseAction: "Response_Action_Agree" }],
      EventTime: 1670574414123,
    }),
  ],
  refusedCallbacks: [
    {
      name: "a callback for another SdkAppid",
      code: "app_mismatch",
      request: () => buildTencentCallback({ sdkAppId: "1400000001", token, command: "Sns.CallbackFriendAdd", body: seedFriendAdd }),
    },
    {
      name: "an unsigned callback",
      code: "missing_signature",
      request: () => buildTencentCallback({ sdkAppId, command: "Sns.CallbackFriendAdd", body: seedFriendAdd }),
    },
    {
      name: "a callback signed with another token",
      code: "invalid_signature",
      request: () => buildTencentCallback({ sdkAppId, token: "another-token", command: "Sns.CallbackFriendAdd", body: seedFriendAdd }),
    },
    {
      name: "a replayed callback, signed two minutes ago",
      code: "stale_request",
      request: () => buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendAdd", body: seedFriendAdd, requestTime: now() - 120 }),
    },
  ],
  unrecognizedCallbacks: [
    signed("C2C.CallbackAfterSendMsg (another family on the URL)", "C2C.CallbackAfterSendMsg", {
      CallbackCommand: "C2C.CallbackAfterSendMsg",
      From_Account: "jared",
      To_Account: "Jonh",
      MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "red packet" } }],
    }),
    signed("Sns.CallbackFriendRemarkChange (an Sns command not mapped)", "Sns.CallbackFriendRemarkChange", {
      CallbackCommand: "Sns.CallbackFriendRemarkChange",
      From_Account: "alice",
    }),
  ],
  // TimeStamp is in seconds: the suite's times are rounded down to them.
  callbackAt: (epochMilliseconds) =>
    buildTencentCallback({
      sdkAppId,
      token,
      command: "Sns.CallbackFriendDelete",
      body: {
        CallbackCommand: "Sns.CallbackFriendDelete",
        PairList: [{ From_Account: "alice", To_Account: "bob", TimeStamp: Math.floor(epochMilliseconds / 1000) }],
      },
    }),
  requestWithBody: (body) => buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendAdd", body }),
  // Seed 003 lists three pairs.
  tooManyEvents: {
    createAdapter: () => createTencentAdapter({ sdkAppIds: [sdkAppId], token, maximumEventsPerCallback: 2 }),
    request: () => buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendAdd", body: seedFriendAdd }),
  },
});
