import { latestTimestampMilliseconds, parseCallbackBody, tolerantField } from "@friendhook/core";
import { z } from "zod";

/**
 * One tolerant schema per `Sns.*` command. Unknown fields pass through (Tencent adds fields over
 * time). The accounts that say who changed what are required; descriptive fields of the wrong type
 * are dropped rather than refused, so that a cosmetic change on Tencent's side never loses a change.
 */

export const tencentCommands = {
  friendAdd: "Sns.CallbackFriendAdd",
  friendDelete: "Sns.CallbackFriendDelete",
  blackListAdd: "Sns.CallbackBlackListAdd",
  blackListDelete: "Sns.CallbackBlackListDelete",
  prevFriendAdd: "Sns.CallbackPrevFriendAdd",
  prevFriendResponse: "Sns.CallbackPrevFriendResponse",
} as const;

export type TencentCommand = (typeof tencentCommands)[keyof typeof tencentCommands];

const knownCommands: ReadonlySet<string> = new Set(Object.values(tencentCommands));

/** The list in each command's body that holds one entry per change, so one event at most per entry. */
export const tencentChangeLists = {
  [tencentCommands.friendAdd]: "PairList",
  [tencentCommands.friendDelete]: "PairList",
  [tencentCommands.blackListAdd]: "PairList",
  [tencentCommands.blackListDelete]: "PairList",
  [tencentCommands.prevFriendAdd]: "FriendItem",
  [tencentCommands.prevFriendResponse]: "ResponseFriendItem",
} as const satisfies Record<TencentCommand, string>;

export function isTencentCommand(command: string): command is TencentCommand {
  return knownCommands.has(command);
}

/** The relationship family; other families (C2C, Group, State…) may share the callback URL. */
export function isRelationshipCommand(command: string): boolean {
  return command.startsWith("Sns.");
}

const AccountSchema = z.string().min(1);


function unixTimeSchema(unitsPerMillisecond: number) {
  const maximum = Math.floor(latestTimestampMilliseconds / unitsPerMillisecond);
  const digits = z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number);
  return tolerantField(z.union([z.number(), digits]).pipe(z.number().int().nonnegative().max(maximum)));
}

/** Unix seconds (`TimeStamp`). */
const SecondsSchema = unixTimeSchema(1000);
/** Unix milliseconds (`EventTime`). */
const MillisecondsSchema = unixTimeSchema(1);

const FlagSchema = tolerantField(z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]));

const TextSchema = tolerantField(z.string());

/** `From_Account`'s list gained or lost `To_Account`. */
export const TencentPairSchema = z
  .object({
    From_Account: AccountSchema,
    To_Account: AccountSchema,
    Initiator_Account: TextSchema,
    TimeStamp: SecondsSchema,
  })
  .loose();
export type TencentPair = z.infer<typeof TencentPairSchema>;

const envelope = <Command extends TencentCommand>(command: Command) => ({
  CallbackCommand: z.literal(command),
});

const pairListCallback = <Command extends TencentCommand>(command: Command) =>
  z.object({ ...envelope(command), PairList: z.array(TencentPairSchema) }).loose();

export const TencentFriendAddCallbackSchema = z
  .object({
    ...envelope(tencentCommands.friendAdd),
    PairList: z.array(TencentPairSchema),
    ClientCmd: TextSchema,
    Admin_Account: TextSchema,
    ForceFlag: FlagSchema,
  })
  .loose();
export type TencentFriendAddCallback = z.infer<typeof TencentFriendAddCallbackSchema>;

export const TencentFriendDeleteCallbackSchema = pairListCallback(tencentCommands.friendDelete);
export const TencentBlackListAddCallbackSchema = pairListCallback(tencentCommands.blackListAdd);
export const TencentBlackListDeleteCallbackSchema = pairListCallback(tencentCommands.blackListDelete);
export type TencentPairListCallback =
  | z.infer<typeof TencentFriendDeleteCallbackSchema>
  | z.infer<typeof TencentBlackListAddCallbackSchema>
  | z.infer<typeof TencentBlackListDeleteCallbackSchema>;

export const TencentFriendItemSchema = z
  .object({
    To_Account: AccountSchema,
    Remark: TextSchema,
    GroupName: TextSchema,
    AddSource: TextSchema,
    AddWording: TextSchema,
  })
  .loose();

export const TencentPrevFriendAddCallbackSchema = z
  .object({
    ...envelope(tencentCommands.prevFriendAdd),
    Requester_Account: TextSchema,
    From_Account: AccountSchema,
    FriendItem: z.array(TencentFriendItemSchema),
    AddType: TextSchema,
    ForceAddFlags: FlagSchema,
    EventTime: MillisecondsSchema,
  })
  .loose();
export type TencentPrevFriendAddCallback = z.infer<typeof TencentPrevFriendAddCallbackSchema>;

export const TencentResponseFriendItemSchema = z
  .object({
    /** The user who sent the request being answered. */
    To_Account: AccountSchema,
    Remark: TextSchema,
    TagName: TextSchema,
    ResponseAction: TextSchema,
  })
  .loose();

export const TencentPrevFriendResponseCallbackSchema = z
  .object({
    ...envelope(tencentCommands.prevFriendResponse),
    Requester_Account: TextSchema,
    /** The user who answers. */
    From_Account: AccountSchema,
    ResponseFriendItem: z.array(TencentResponseFriendItemSchema),
    EventTime: MillisecondsSchema,
  })
  .loose();
export type TencentPrevFriendResponseCallback = z.infer<typeof TencentPrevFriendResponseCallbackSchema>;

export const tencentCallbackSchemas = {
  [tencentCommands.friendAdd]: TencentFriendAddCallbackSchema,
  [tencentCommands.friendDelete]: TencentFriendDeleteCallbackSchema,
  [tencentCommands.blackListAdd]: TencentBlackListAddCallbackSchema,
  [tencentCommands.blackListDelete]: TencentBlackListDeleteCallbackSchema,
  [tencentCommands.prevFriendAdd]: TencentPrevFriendAddCallbackSchema,
  [tencentCommands.prevFriendResponse]: TencentPrevFriendResponseCallbackSchema,
} as const;

export type TencentCallback<Command extends TencentCommand> = z.output<(typeof tencentCallbackSchemas)[Command]>;

/** Parses a body whose command is known; a body that does not fit is `invalid_payload` (400). */
export function parseTencentCallback<Command extends TencentCommand>(
  command: Command,
  body: Record<string, unknown>,
): TencentCallback<Command> {
  return parseCallbackBody(tencentCallbackSchemas[command], body, "tencent", `The ${command} body is not as Tencent documents it`) as TencentCallback<Command>;
}
