import { parseCallbackBody, tolerantField } from "@friendhook/core";
import { z } from "zod";

/**
 * The friend and blacklist callbacks of `openimsdk/open-im-server` (`pkg/callbackstruct/friend.go`).
 * OpenIM posts each to `{webhook url}/{command}` and repeats the command in the body's
 * `callbackCommand`. Current servers spell commands in lower camel case; older v3 servers sent the
 * same names with a capital first letter, which `canonicalOpenImCommand` folds together.
 */
export const openImCommands = {
  beforeAddFriend: "callbackBeforeAddFriendCommand",
  afterAddFriend: "callbackAfterAddFriendCommand",
  beforeAddFriendAgree: "callbackBeforeAddFriendAgreeCommand",
  afterAddFriendAgree: "callbackAfterAddFriendAgreeCommand",
  afterDeleteFriend: "callbackAfterDeleteFriendCommand",
  beforeAddBlack: "callbackBeforeAddBlackCommand",
  afterRemoveBlack: "callbackAfterRemoveBlackCommand",
  beforeImportFriends: "callbackBeforeImportFriendsCommand",
  afterImportFriends: "callbackAfterImportFriendsCommand",
  beforeSetFriendRemark: "callbackBeforeSetFriendRemarkCommand",
  afterSetFriendRemark: "callbackAfterSetFriendRemarkCommand",
} as const;

export type OpenImCommand = (typeof openImCommands)[keyof typeof openImCommands];

const knownCommands: ReadonlySet<string> = new Set(Object.values(openImCommands));

/** `CallbackAfterAddFriendCommand` (older servers) and `callbackAfterAddFriendCommand` are one command. */
export function canonicalOpenImCommand(command: string): string {
  return command.charAt(0).toLowerCase() + command.slice(1);
}

export function isOpenImCommand(command: string): command is OpenImCommand {
  return knownCommands.has(command);
}

/** What every OpenIM callback body has: the command that says what the rest means. */
export const OpenImEnvelopeSchema = z.object({ callbackCommand: z.string().min(1) }).loose();

const UserIdSchema = z.string().min(1);

const TextSchema = tolerantField(z.string());

const envelope = { callbackCommand: z.string().min(1) };

/** `CallbackBeforeAddFriendReq`: `fromUserID` asks `toUserID` to be friends. */
export const OpenImBeforeAddFriendCallbackSchema = z
  .object({ ...envelope, fromUserID: UserIdSchema, toUserID: UserIdSchema, reqMsg: TextSchema, ex: TextSchema })
  .loose();
export type OpenImBeforeAddFriendCallback = z.infer<typeof OpenImBeforeAddFriendCallbackSchema>;

/** `CallbackAfterAddFriendReq`: the request was stored (not: the two became friends). */
export const OpenImAfterAddFriendCallbackSchema = z
  .object({ ...envelope, fromUserID: UserIdSchema, toUserID: UserIdSchema, reqMsg: TextSchema })
  .loose();
export type OpenImAfterAddFriendCallback = z.infer<typeof OpenImAfterAddFriendCallbackSchema>;

/**
 * `CallbackBeforeAddFriendAgreeReq` and `CallbackAfterAddFriendAgreeReq`: `toUserID` answers the
 * request `fromUserID` sent. OpenIM's struct tags the answering user `json:"blackUserID"` (a
 * misnamed tag) and capitalizes `HandleResult` and `HandleMsg`; both spellings are read, the one
 * sent and the one meant. The output always uses the meant names.
 */
export const OpenImAddFriendAgreeCallbackSchema = z
  .object({
    ...envelope,
    fromUserID: UserIdSchema,
    blackUserID: tolerantField(UserIdSchema),
    toUserID: tolerantField(UserIdSchema),
    HandleResult: tolerantField(z.number().int()),
    handleResult: tolerantField(z.number().int()),
    HandleMsg: TextSchema,
    handleMsg: TextSchema,
  })
  .loose()
  .superRefine((body, context) => {
    if (body.blackUserID === undefined && body.toUserID === undefined) {
      context.addIssue({ code: "custom", path: ["blackUserID"], message: "the answering user is missing (blackUserID, or toUserID)" });
    } else if (body.blackUserID !== undefined && body.toUserID !== undefined && body.blackUserID !== body.toUserID) {
      context.addIssue({ code: "custom", path: ["toUserID"], message: "blackUserID and toUserID name different users" });
    }
  })
  .transform(({ blackUserID, toUserID, HandleResult, handleResult, HandleMsg, handleMsg, ...rest }) => ({
    ...rest,
    /** The user who answers. */
    toUserID: (toUserID ?? blackUserID) as string,
    /** 1 agrees, -1 refuses (OpenIM's `FriendResponseAgree` / `FriendResponseRefuse`). */
    handleResult: handleResult ?? HandleResult,
    handleMsg: handleMsg ?? HandleMsg,
  }));
export type OpenImAddFriendAgreeCallback = z.output<typeof OpenImAddFriendAgreeCallbackSchema>;

/** `CallbackAfterDeleteFriendReq`: `friendUserID` left `ownerUserID`'s list (only that one list). */
export const OpenImAfterDeleteFriendCallbackSchema = z
  .object({ ...envelope, ownerUserID: UserIdSchema, friendUserID: UserIdSchema })
  .loose();
export type OpenImAfterDeleteFriendCallback = z.infer<typeof OpenImAfterDeleteFriendCallbackSchema>;

/** `CallbackBeforeAddBlackReq` and `CallbackAfterRemoveBlackReq`: `ownerUserID` blocks or unblocks `blackUserID`. */
export const OpenImBlackCallbackSchema = z
  .object({ ...envelope, ownerUserID: UserIdSchema, blackUserID: UserIdSchema })
  .loose();
export type OpenImBlackCallback = z.infer<typeof OpenImBlackCallbackSchema>;

/** `CallbackBeforeImportFriendsReq` and `CallbackAfterImportFriendsReq`; Go sends an empty list as `null`. */
export const OpenImImportFriendsCallbackSchema = z
  .object({
    ...envelope,
    ownerUserID: UserIdSchema,
    friendUserIDs: z
      .array(UserIdSchema)
      .nullish()
      .transform((userIds) => userIds ?? []),
  })
  .loose();
export type OpenImImportFriendsCallback = z.output<typeof OpenImImportFriendsCallbackSchema>;

/** `CallbackBeforeSetFriendRemarkReq` and `CallbackAfterSetFriendRemarkReq`. */
export const OpenImFriendRemarkCallbackSchema = z
  .object({ ...envelope, ownerUserID: UserIdSchema, friendUserID: UserIdSchema, remark: TextSchema })
  .loose();
export type OpenImFriendRemarkCallback = z.infer<typeof OpenImFriendRemarkCallbackSchema>;

export const openImCallbackSchemas = {
  [openImCommands.beforeAddFriend]: OpenImBeforeAddFriendCallbackSchema,
  [openImCommands.afterAddFriend]: OpenImAfterAddFriendCallbackSchema,
  [openImCommands.beforeAddFriendAgree]: OpenImAddFriendAgreeCallbackSchema,
  [openImCommands.afterAddFriendAgree]: OpenImAddFriendAgreeCallbackSchema,
  [openImCommands.afterDeleteFriend]: OpenImAfterDeleteFriendCallbackSchema,
  [openImCommands.beforeAddBlack]: OpenImBlackCallbackSchema,
  [openImCommands.afterRemoveBlack]: OpenImBlackCallbackSchema,
  [openImCommands.beforeImportFriends]: OpenImImportFriendsCallbackSchema,
  [openImCommands.afterImportFriends]: OpenImImportFriendsCallbackSchema,
  [openImCommands.beforeSetFriendRemark]: OpenImFriendRemarkCallbackSchema,
  [openImCommands.afterSetFriendRemark]: OpenImFriendRemarkCallbackSchema,
} as const;

export type OpenImCallback<Command extends OpenImCommand> = z.output<(typeof openImCallbackSchemas)[Command]>;

/** Reads the command from a body; a body without one is `invalid_payload` (400). */
export function parseOpenImEnvelope(body: Record<string, unknown>): string {
  return parseCallbackBody(OpenImEnvelopeSchema, body, "openim", "The body is not an OpenIM callback").callbackCommand;
}

/** Parses a body whose command is known; a body that does not fit is `invalid_payload` (400). */
export function parseOpenImCallback<Command extends OpenImCommand>(
  command: Command,
  body: Record<string, unknown>,
): OpenImCallback<Command> {
  return parseCallbackBody(openImCallbackSchemas[command], body, "openim", `The ${command} body is not as OpenIM sends it`) as OpenImCallback<Command>;
}
