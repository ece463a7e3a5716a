import { describeAdapterConformance } from "@friendhook/testkit";
import { createOpenImAdapter, openImCallbackRequest } from "../src/index";
import { type OpenImBodyName, openImBodies } from "./fixtures";

const token = "b7f0c1d2-openim-webhook-token";

/** Every callback that reports a relationship change; each must yield events. */
const eventCallbacks: OpenImBodyName[] = [
  "beforeAddFriend",
  "afterAddFriend",
  "beforeAddFriendAgree",
  "afterAddFriendAgree",
  "afterDeleteFriend",
  "beforeAddBlack",
  "afterRemoveBlack",
  "afterImportFriends",
];

const commandOf = (name: OpenImBodyName): string => (JSON.parse(openImBodies[name]) as { callbackCommand: string }).callbackCommand;

describeAdapterConformance("openim", {
  createAdapter: () => createOpenImAdapter({ token, appId: "openim-production" }),
  signedCallbacks: [
    ...eventCallbacks.map((name) => ({
      name: commandOf(name),
      request: () => openImCallbackRequest({ body: openImBodies[name], operationId: `op-${name}`, token }),
    })),
    {
      name: "a token sent as HTTP Basic password (OpenIM's webhook URL with user info)",
      request: () =>
        openImCallbackRequest({
          body: openImBodies.afterAddFriend,
          operationId: "op-basic",
          token,
          tokenScheme: "basic",
        }),
    },
  ],
  refusedCallbacks: [
    {
      name: "a callback without a token",
      code: "missing_signature",
      request: () => openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId: "op-1" }),
    },
    {
      name: "a callback with another token",
      code: "invalid_signature",
      request: () => openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId: "op-1", token: "not-the-token" }),
    },
    {
      name: "a callback with another token as Basic password",
      code: "invalid_signature",
      request: () =>
        openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId: "op-1", token: `${token}x`, tokenScheme: "basic" }),
    },
    {
      name: "a callback with an unknown authorization scheme",
      code: "missing_signature",
      request: () => {
        const request = openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId: "op-1" });
        return { ...request, headers: { ...request.headers, authorization: `Token ${token}` } };
      },
    },
  ],
  unrecognizedCallbacks: [
    ...(["beforeImportFriends", "afterSetFriendRemark"] as const).map((name) => ({
      name: commandOf(name),
      request: () => openImCallbackRequest({ body: openImBodies[name], operationId: `op-${name}`, token }),
    })),
    {
      name: "a message callback sharing the webhook URL",
      request: () =>
        openImCallbackRequest({
          body: { callbackCommand: "callbackBeforeSendSingleMsgCommand", sendID: "2137563398", recvID: "6960562805", content: "hi" },
          operationId: "op-message",
          token,
        }),
    },
  ],
  // OpenIM's friend callbacks carry no time of their own (the receive time stands in), so there is no callbackAt.
  requestWithBody: (body) => openImCallbackRequest({ body, pathCommand: null, operationId: "op-hostile", token }),
  // The import fixture lists two friends.
  tooManyEvents: {
    createAdapter: () => createOpenImAdapter({ token, maximumEventsPerCallback: 1 }),
    request: () => openImCallbackRequest({ body: openImBodies.afterImportFriends, operationId: "op-import", token }),
  },
});
