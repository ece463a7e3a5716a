import type { FriendEvent } from "@friendhook/core";

export type FriendRelation = "friend" | "blocked";

/**
 * One write to one register of the friend table. Its version is (occurredAt at millisecond
 * precision, event id): the rule every friend table of friendhook follows, so that a table does not
 * depend on delivery order or duplicates.
 */
export interface FriendEdgeChange {
  readonly provider: string;
  readonly appId: string;
  readonly ownerId: string;
  readonly otherId: string;
  readonly relation: FriendRelation;
  /** `false` ends the relation and leaves a tombstone carrying the version. */
  readonly active: boolean;
  /** ISO-8601 at millisecond precision; the epoch when the time cannot be read. */
  readonly occurredAt: string;
  readonly eventId: string;
}

const changeOfType = {
  "friend.added": { relation: "friend", active: true },
  "friend.removed": { relation: "friend", active: false },
  "friend.blocked": { relation: "blocked", active: true },
  "friend.unblocked": { relation: "blocked", active: false },
} as const satisfies Record<string, { relation: FriendRelation; active: boolean }>;

function millisecondInstant(timestamp: string): string {
  const milliseconds = Date.parse(timestamp);
  return new Date(Number.isFinite(milliseconds) ? milliseconds : 0).toISOString();
}

/**
 * The writes one event asks for: owner = actor, other = target, and the reverse too when the event
 * is `mutual`. Request events and `friend.operation.failed` ask for none.
 */
export function friendEdgeChangesOf(event: FriendEvent): FriendEdgeChange[] {
  if (!Object.hasOwn(changeOfType, event.type)) return [];
  const { relation, active } = changeOfType[event.type as keyof typeof changeOfType];
  const occurredAt = millisecondInstant(event.occurredAt);
  const change = (ownerId: string, otherId: string): FriendEdgeChange => ({
    provider: event.provider,
    appId: event.appId,
    ownerId,
    otherId,
    relation,
    active,
    occurredAt,
    eventId: event.id,
  });
  const changes = [change(event.actor, event.target)];
  if (event.mutual && event.actor !== event.target) changes.push(change(event.target, event.actor));
  return changes;
}
