import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { tencentCommands } from "./tencent-callback-schemas";
import { signTencentRequest } from "./tencent-authentication";

/**
 * Builders for Tencent callbacks as Tencent sends them, for tests of applications that receive
 * Tencent Cloud IM through friendhook. Field names and their order follow Tencent's documented
 * request examples (`Sns.*` callbacks).
 */

/** What Tencent's real traffic adds to every body (its documented examples leave them out). */
export interface TencentTrafficFields {
  /** `RequestId`: the same on a retry, different for every other callback. Left out by default. */
  readonly requestId?: string;
  /** `ClientIP`. Left out by default. */
  readonly clientIp?: string;
  /** `OptPlatform` (`RESTAPI`, `Web`, `Android`, `iOS`…). Left out by default. */
  readonly optPlatform?: string;
}

/** One directional pair: `fromAccount`'s list gained or lost `toAccount`. */
export interface TencentPairFields {
  readonly fromAccount: string;
  readonly toAccount: string;
}

export interface TencentFriendAddFields extends TencentTrafficFields {
  /** One pair per direction: a two-way add is two pairs. */
  readonly pairs: readonly TencentPairFields[];
  /** `Initiator_Account` of every pair: who sent the request; the first pair's `fromAccount` by default. */
  readonly initiatorAccount?: string;
  /** `ClientCmd`: `friend_add` (by default) or `FriendAdd` for a request, `friend_response` or `FriendResponse` for an answer. */
  readonly clientCmd?: string;
  /** `Admin_Account`: the administrator that added the friend through the REST API; `""` by default. */
  readonly adminAccount?: string;
  /** `ForceFlag`: 1 when an administrator forced the add; 0 by default. */
  readonly forceFlag?: number;
}

export interface TencentPairListFields extends TencentTrafficFields {
  readonly pairs: ReadonlyArray<TencentPairFields & { readonly timeStamp?: number }>;
}

export interface TencentFriendRequestItemFields {
  readonly toAccount: string;
  readonly remark?: string;
  readonly groupName?: string;
  /** `AddSource`; `AddSource_Type_Android` (as in Tencent's example) by default. */
  readonly addSource?: string;
  /** `AddWording`: the request's text; `""` by default. */
  readonly addWording?: string;
}

export interface TencentPrevFriendAddFields extends TencentTrafficFields {
  /** Who sends the requests. */
  readonly fromAccount: string;
  /** `Requester_Account`; `fromAccount` by default. */
  readonly requesterAccount?: string;
  readonly friendItems: readonly TencentFriendRequestItemFields[];
  /** `AddType`: `Add_Type_Both` (by default) or `Add_Type_Single`. */
  readonly addType?: string;
  /** `ForceAddFlags`; 0 by default. */
  readonly forceAddFlags?: number;
  /** `EventTime`, Unix milliseconds; now by default. */
  readonly eventTime?: number;
}

export interface TencentFriendResponseItemFields {
  /** The user who sent the request being answered. */
  readonly toAccount: string;
  /** `Response_Action_Agree`, `Response_Action_AgreeAndAdd` or `Response_Action_Reject`. */
  readonly responseAction: string;
  readonly remark?: string;
  readonly tagName?: string;
}

export interface TencentPrevFriendResponseFields extends TencentTrafficFields {
  /** Who answers. */
  readonly fromAccount: string;
  /** `Requester_Account`; `fromAccount` by default. */
  readonly requesterAccount?: string;
  readonly responseFriendItems: readonly TencentFriendResponseItemFields[];
  /** `EventTime`, Unix milliseconds; now by default. */
  readonly eventTime?: number;
}

function traffic(fields: TencentTrafficFields): Record<string, string> {
  return {
    ...(fields.clientIp === undefined ? {} : { ClientIP: fields.clientIp }),
    ...(fields.optPlatform === undefined ? {} : { OptPlatform: fields.optPlatform }),
    ...(fields.requestId === undefined ? {} : { RequestId: fields.requestId }),
  };
}

function pairListBody(command: string, fields: TencentPairListFields) {
  return {
    CallbackCommand: command,
    PairList: fields.pairs.map((pair) => ({
      From_Account: pair.fromAccount,
      To_Account: pair.toAccount,
      ...(pair.timeStamp === undefined ? {} : { TimeStamp: pair.timeStamp }),
    })),
    ...traffic(fields),
  };
}

/** The body of each relationship callback, for `buildTencentCallback({ body })`. */
export const tencentCallbackBodies = {
  friendAdd: (fields: TencentFriendAddFields) => ({
    CallbackCommand: tencentCommands.friendAdd,
    PairList: fields.pairs.map((pair) => ({
      From_Account: pair.fromAccount,
      To_Account: pair.toAccount,
      Initiator_Account: fields.initiatorAccount ?? fields.pairs[0]?.fromAccount ?? "",
    })),
    ClientCmd: fields.clientCmd ?? "friend_add",
    Admin_Account: fields.adminAccount ?? "",
    ForceFlag: fields.forceFlag ?? 0,
    ...traffic(fields),
  }),
  friendDelete: (fields: TencentPairListFields) => pairListBody(tencentCommands.friendDelete, fields),
  blackListAdd: (fields: TencentPairListFields) => pairListBody(tencentCommands.blackListAdd, fields),
  blackListDelete: (fields: TencentPairListFields) => pairListBody(tencentCommands.blackListDelete, fields),
  prevFriendAdd: (fields: TencentPrevFriendAddFields) => ({
    CallbackCommand: tencentCommands.prevFriendAdd,
    Requester_Account: fields.requesterAccount ?? fields.fromAccount,
    From_Account: fields.fromAccount,
    FriendItem: fields.friendItems.map((item) => ({
      To_Account: item.toAccount,
      Remark: item.remark ?? "",
      GroupName: item.groupName ?? "",
      AddSource: item.addSource ?? "AddSource_Type_Android",
      AddWording: item.addWording ?? "",
    })),
    AddType: fields.addType ?? "Add_Type_Both",
    ForceAddFlags: fields.forceAddFlags ?? 0,
    EventTime: fields.eventTime ?? Date.now(),
    ...traffic(fields),
  }),
  prevFriendResponse: (fields: TencentPrevFriendResponseFields) => ({
    CallbackCommand: tencentCommands.prevFriendResponse,
    Requester_Account: fields.requesterAccount ?? fields.fromAccount,
    From_Account: fields.fromAccount,
    ResponseFriendItem: fields.responseFriendItems.map((item) => ({
      To_Account: item.toAccount,
      Remark: item.remark ?? "",
      TagName: item.tagName ?? "",
      ResponseAction: item.responseAction,
    })),
    EventTime: fields.eventTime ?? Date.now(),
    ...traffic(fields),
  }),
} as const;

export interface TencentCallbackInit {
  readonly sdkAppId: string;
  /** The `CallbackCommand` put in the URL; by default the body's own `CallbackCommand`. */
  readonly command?: string;
  /** The body: an object is serialized as JSON; a string or bytes are sent as they are. */
  readonly body: Record<string, unknown> | string | Uint8Array;
  /** When given, the URL carries `Sign` and `RequestTime` as Tencent sends them with authentication on. */
  readonly token?: string;
  /** Unix seconds; now by default. */
  readonly requestTime?: number;
  readonly clientIp?: string;
  readonly optPlatform?: string;
  readonly receivedAt?: Date;
  readonly path?: string;
}

function commandOf(init: TencentCallbackInit): string {
  if (init.command !== undefined) return init.command;
  const command = typeof init.body === "object" && !(init.body instanceof Uint8Array) ? init.body.CallbackCommand : undefined;
  if (typeof command !== "string") {
    throw new TypeError("buildTencentCallback needs `command` when the body is not an object with a CallbackCommand.");
  }
  return command;
}

/**
 * Builds a callback as Tencent sends it (`?SdkAppid=…&CallbackCommand=…&contenttype=json…`), signed
 * when a token is given: for tests of an application's receiver.
 */
export function buildTencentCallback(init: TencentCallbackInit): ProviderRequest {
  const query = new URLSearchParams({ SdkAppid: init.sdkAppId, CallbackCommand: commandOf(init), contenttype: "json" });
  if (init.clientIp !== undefined) query.set("ClientIP", init.clientIp);
  if (init.optPlatform !== undefined) query.set("OptPlatform", init.optPlatform);
  if (init.token !== undefined) {
    const requestTime = init.requestTime ?? Math.floor(Date.now() / 1000);
    query.set("Sign", signTencentRequest(init.token, requestTime));
    query.set("RequestTime", String(requestTime));
  }
  const body =
    typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : JSON.stringify(init.body);
  return createProviderRequest({
    method: "POST",
    path: init.path ?? "/",
    query,
    headers: { "content-type": "application/json" },
    body,
    ...(init.receivedAt === undefined ? {} : { receivedAt: init.receivedAt }),
  });
}
