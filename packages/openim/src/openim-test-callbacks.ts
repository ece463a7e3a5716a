import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { basicCredentials } from "./openim-authentication";
import { openImCommands } from "./openim-callback-schemas";
import { openImHandleResults } from "./openim-events";

/**
 * Builders for OpenIM callbacks exactly as `open-im-server` sends them, for tests of applications
 * that receive OpenIM through friendhook. Field names and their order follow the Go structs in
 * `pkg/callbackstruct/friend.go`, quirks included.
 */

const goHtmlEscapes: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Encodes a value as Go's `json.Encoder` does, which is how OpenIM writes callback bodies: `<`, `>`
 * and `&` escaped, and a newline at the end.
 */
export function encodeLikeOpenIm(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => goHtmlEscapes[character] ?? character)}\n`;
}

export interface FriendRequestFields {
  readonly fromUserID: string;
  readonly toUserID: string;
  readonly reqMsg?: string;
}

export interface FriendAnswerFields {
  /** The user who sent the request. */
  readonly fromUserID: string;
  /** The user who answers it (sent by OpenIM as `blackUserID`). */
  readonly toUserID: string;
  readonly handleMsg?: string;
}

export interface OwnerAndFriendFields {
  readonly ownerUserID: string;
  readonly friendUserID: string;
}

export interface BlacklistFields {
  readonly ownerUserID: string;
  readonly blackUserID: string;
}

export interface ImportFields {
  readonly ownerUserID: string;
  /** `null` is what Go sends for an empty list. */
  readonly friendUserIDs: readonly string[] | null;
}

export interface RemarkFields extends OwnerAndFriendFields {
  readonly remark: string;
}

function agreeBody(command: string, fields: FriendAnswerFields) {
  return {
    callbackCommand: command,
    fromUserID: fields.fromUserID,
    // OpenIM's struct tags this field `json:"blackUserID"`, and capitalizes the two after it.
    blackUserID: fields.toUserID,
    HandleResult: openImHandleResults.agree,
    HandleMsg: fields.handleMsg ?? "",
  };
}

/** The body of each friend-family callback, with OpenIM's JSON tags in its field order. */
export const openImCallbackBodies = {
  beforeAddFriend: (fields: FriendRequestFields & { readonly ex?: string }) => ({
    callbackCommand: openImCommands.beforeAddFriend,
    fromUserID: fields.fromUserID,
    toUserID: fields.toUserID,
    reqMsg: fields.reqMsg ?? "",
    ex: fields.ex ?? "",
  }),
  afterAddFriend: (fields: FriendRequestFields) => ({
    callbackCommand: openImCommands.afterAddFriend,
    fromUserID: fields.fromUserID,
    toUserID: fields.toUserID,
    reqMsg: fields.reqMsg ?? "",
  }),
  beforeAddFriendAgree: (fields: FriendAnswerFields) => agreeBody(openImCommands.beforeAddFriendAgree, fields),
  afterAddFriendAgree: (fields: FriendAnswerFields) => agreeBody(openImCommands.afterAddFriendAgree, fields),
  afterDeleteFriend: (fields: OwnerAndFriendFields) => ({
    callbackCommand: openImCommands.afterDeleteFriend,
    ownerUserID: fields.ownerUserID,
    friendUserID: fields.friendUserID,
  }),
  beforeAddBlack: (fields: BlacklistFields) => ({
    callbackCommand: openImCommands.beforeAddBlack,
    ownerUserID: fields.ownerUserID,
    blackUserID: fields.blackUserID,
  }),
  afterRemoveBlack: (fields: BlacklistFields) => ({
    callbackCommand: openImCommands.afterRemoveBlack,
    ownerUserID: fields.ownerUserID,
    blackUserID: fields.blackUserID,
  }),
  beforeImportFriends: (fields: ImportFields) => ({
    callbackCommand: openImCommands.beforeImportFriends,
    ownerUserID: fields.ownerUserID,
    friendUserIDs: fields.friendUserIDs,
  }),
  afterImportFriends: (fields: ImportFields) => ({
    callbackCommand: openImCommands.afterImportFriends,
    ownerUserID: fields.ownerUserID,
    friendUserIDs: fields.friendUserIDs,
  }),
  beforeSetFriendRemark: (fields: RemarkFields) => ({
    callbackCommand: openImCommands.beforeSetFriendRemark,
    ownerUserID: fields.ownerUserID,
    friendUserID: fields.friendUserID,
    remark: fields.remark,
  }),
  afterSetFriendRemark: (fields: RemarkFields) => ({
    callbackCommand: openImCommands.afterSetFriendRemark,
    ownerUserID: fields.ownerUserID,
    friendUserID: fields.friendUserID,
    remark: fields.remark,
  }),
} as const;

export interface OpenImCallbackRequestInit {
  /** An object (encoded as OpenIM encodes it), or the exact body text or bytes. */
  readonly body: object | string | Uint8Array;
  /** The `operationID` header; a fresh one when absent, none at all when `null`. */
  readonly operationId?: string | null;
  /** Where OpenIM's webhook URL points; the command is appended to it. */
  readonly basePath?: string;
  /** The last path segment; by default the body's `callbackCommand`, none when `null`. */
  readonly pathCommand?: string | null;
  /** Presents this token, as a bearer token or as the password of HTTP Basic authentication. */
  readonly token?: string;
  readonly tokenScheme?: "bearer" | "basic";
  readonly receivedAt?: Date;
}

function parsed(body: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

/** The body's `callbackCommand`, when it has one. */
function commandOf(body: OpenImCallbackRequestInit["body"]): string | undefined {
  const value = typeof body === "string" || body instanceof Uint8Array ? parsed(body) : body;
  if (value === null || typeof value !== "object") return undefined;
  const command = (value as { callbackCommand?: unknown }).callbackCommand;
  return typeof command === "string" ? command : undefined;
}

function authorization(token: string, scheme: "bearer" | "basic"): string {
  return scheme === "bearer" ? `Bearer ${token}` : `Basic ${basicCredentials("friendhook", token)}`;
}

/**
 * A callback request as OpenIM sends it: `POST {basePath}/{command}` with the `operationID` header
 * and a JSON body.
 */
export function openImCallbackRequest(init: OpenImCallbackRequestInit): ProviderRequest {
  const pathCommand = init.pathCommand === undefined ? commandOf(init.body) : init.pathCommand;
  const basePath = (init.basePath ?? "/webhooks/openim").replace(/\/+$/, "");
  const operationId = init.operationId === undefined ? crypto.randomUUID() : init.operationId;
  const body = typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : encodeLikeOpenIm(init.body);
  return createProviderRequest({
    method: "POST",
    path: pathCommand ? `${basePath}/${pathCommand}` : basePath || "/",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(operationId === null ? {} : { operationid: operationId }),
      ...(init.token === undefined ? {} : { authorization: authorization(init.token, init.tokenScheme ?? "bearer") }),
    },
    body,
    ...(init.receivedAt === undefined ? {} : { receivedAt: init.receivedAt }),
  });
}
