import { z } from "zod";

/** The request lifecycle: a request was sent, then accepted or declined. */
export const friendRequestEventTypes = [
  "friend.request.sent",
  "friend.request.accepted",
  "friend.request.declined",
] as const;

/**
 * Changes to the relationship itself. These alone answer "are A and B friends now, and who
 * blocked whom?", whatever the provider.
 */
export const relationshipEventTypes = [
  "friend.added",
  "friend.removed",
  "friend.blocked",
  "friend.unblocked",
] as const;

/**
 * A change the provider reports as attempted but failed (for example an Easemob `ban` whose
 * `status.error_code` is not `ok`). It is kept, never applied to the friend table.
 */
export const operationFailedEventType = "friend.operation.failed" as const;

export const friendEventTypes = [
  ...friendRequestEventTypes,
  ...relationshipEventTypes,
  operationFailedEventType,
] as const;

export const FriendEventTypeSchema = z.enum(friendEventTypes);
export type FriendEventType = z.infer<typeof FriendEventTypeSchema>;
export type FriendRequestEventType = (typeof friendRequestEventTypes)[number];
export type RelationshipEventType = (typeof relationshipEventTypes)[number];

const relationshipTypeSet: ReadonlySet<string> = new Set(relationshipEventTypes);

export function isRelationshipEventType(type: string): type is RelationshipEventType {
  return relationshipTypeSet.has(type);
}
