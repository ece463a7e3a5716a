import { z } from "zod";
import { FriendEventTypeSchema, relationshipEventTypes } from "./friend-event-type";
import { UserIdSchema } from "./user-id";

/**
 * The latest instant an event's timestamps can hold, 9999-12-31T23:59:59.999Z: past it
 * `toISOString` writes an expanded year (`+010000-…`), which RFC 3339 (and so JSON Schema's
 * `date-time`) does not allow. Adapters refuse or drop provider times beyond it.
 */
export const latestTimestampMilliseconds = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The earliest instant an event's timestamps can hold, 0000-01-01T00:00:00.000Z: before it
 * `toISOString` writes a negative expanded year (`-000001-…`), which RFC 3339 does not allow.
 */
export const earliestTimestampMilliseconds = Date.parse("0000-01-01T00:00:00.000Z");

/** Whether an instant in epoch milliseconds can be an event's `occurredAt` or `receivedAt`. */
export function isEventTimestamp(epochMilliseconds: number): boolean {
  return (
    Number.isInteger(epochMilliseconds) &&
    epochMilliseconds >= earliestTimestampMilliseconds &&
    epochMilliseconds <= latestTimestampMilliseconds
  );
}

const TimestampSchema = z.iso
  .datetime({ offset: false })
  .describe("An ISO-8601 instant in UTC, for example 2022-01-20T03:16:53.494Z.");

/**
 * Where `occurredAt` came from, and so how precise it is: a provider time in whole seconds or in
 * milliseconds, or the receive time when the provider sent none. The friend table's ordering rule
 * reads it (see `compareRelationVersions`).
 */
export const OccurredAtSourceSchema = z
  .enum(["provider-seconds", "provider-milliseconds", "received"])
  .describe("Where occurredAt came from: a provider time in seconds or milliseconds, or the receive time.");
export type OccurredAtSource = z.infer<typeof OccurredAtSourceSchema>;

const ScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Where the event came from, in the provider's own words. Known keys are named; a provider may add
 * scalar keys of its own (Easemob's `eventType`, say) without a change to the model.
 */
export const EventSourceSchema = z
  .object({
    command: z.string().min(1).describe("The provider's command or operation, e.g. `roster:accept`, `Sns.CallbackFriendAdd`."),
    callbackId: z.string().optional().describe("The provider's id of the callback request (Easemob `callId`)."),
    messageId: z.string().optional().describe("The provider's id of the underlying message (Easemob `msg_id`)."),
    requestId: z.string().optional().describe("The provider's request id (Tencent `RequestId`)."),
    clientIp: z.string().optional().describe("The IP address of the client that made the change."),
    platform: z.string().optional().describe("The client platform that made the change (Tencent `OptPlatform`)."),
    host: z.string().optional().describe("The provider host that sent the callback."),
  })
  .catchall(ScalarSchema);
export type EventSource = z.infer<typeof EventSourceSchema>;

const requestSentDetails = z
  .object({
    message: z.string().optional().describe("The text the requester attached to the request."),
    remark: z.string().optional(),
    group: z.string().optional(),
    addSource: z.string().optional(),
    addType: z.enum(["one_way", "two_way"]).optional(),
  })
  .loose();

const requestAnsweredDetails = z
  .object({
    rosterVersion: z.string().optional().describe("The roster version after the change (Easemob `roster_ver`)."),
    remark: z.string().optional(),
    responseAction: z.string().optional().describe("The provider's own name for the answer."),
  })
  .loose();

const addedDetails = z
  .object({
    rosterVersion: z.string().optional(),
    initiator: z.string().optional().describe("The user who started the request that led to this friendship."),
    trigger: z.enum(["request", "response", "admin"]).optional(),
    forced: z.boolean().optional().describe("An administrator added the friend without the user's consent."),
    adminAccount: z.string().optional(),
  })
  .loose();

const relationshipDetails = z
  .object({
    rosterVersion: z.string().optional(),
  })
  .loose();

const failedDetails = z
  .object({
    attemptedType: z.enum(relationshipEventTypes).describe("The change that was attempted."),
    failureCode: z.string().describe("The provider's failure code, verbatim."),
  })
  .loose();

const commonShape = {
  id: z
    .string()
    .min(1)
    .describe("Deterministic: the same provider fact always yields the same id, across retries and views."),
  provider: z.string().min(1).describe("`easemob`, `tencent`, or a third party's provider name."),
  appId: z.string().describe("The provider app: an Easemob app key `org#app`, a Tencent SdkAppid."),
  actor: UserIdSchema.describe("The user who made the change."),
  target: UserIdSchema.describe("The user the change concerns."),
  mutual: z.boolean().describe("The change applies in both directions (actor→target and target→actor)."),
  occurredAt: TimestampSchema.describe("When the provider says it happened; the receive time when it says nothing."),
  occurredAtSource: OccurredAtSourceSchema,
  receivedAt: TimestampSchema.describe("When the callback reached the receiver."),
  source: EventSourceSchema,
};

function eventSchema<Type extends z.infer<typeof FriendEventTypeSchema>, Details extends z.ZodType>(
  type: Type,
  details: Details,
) {
  return z.object({ ...commonShape, type: z.literal(type), details });
}

export const FriendRequestSentEventSchema = eventSchema("friend.request.sent", requestSentDetails);
export const FriendRequestAcceptedEventSchema = eventSchema("friend.request.accepted", requestAnsweredDetails);
export const FriendRequestDeclinedEventSchema = eventSchema("friend.request.declined", requestAnsweredDetails);
export const FriendAddedEventSchema = eventSchema("friend.added", addedDetails);
export const FriendRemovedEventSchema = eventSchema("friend.removed", relationshipDetails);
export const FriendBlockedEventSchema = eventSchema("friend.blocked", relationshipDetails);
export const FriendUnblockedEventSchema = eventSchema("friend.unblocked", relationshipDetails);
export const FriendOperationFailedEventSchema = eventSchema("friend.operation.failed", failedDetails);

export const FriendEventSchema = z.discriminatedUnion("type", [
  FriendRequestSentEventSchema,
  FriendRequestAcceptedEventSchema,
  FriendRequestDeclinedEventSchema,
  FriendAddedEventSchema,
  FriendRemovedEventSchema,
  FriendBlockedEventSchema,
  FriendUnblockedEventSchema,
  FriendOperationFailedEventSchema,
]);

export type FriendEvent = z.infer<typeof FriendEventSchema>;
export type FriendEventOfType<Type extends FriendEvent["type"]> = Extract<FriendEvent, { type: Type }>;
export type FriendEventDetails<Type extends FriendEvent["type"]> = FriendEventOfType<Type>["details"];
export type RelationshipEvent = FriendEventOfType<(typeof relationshipEventTypes)[number]>;
