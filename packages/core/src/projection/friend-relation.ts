import type { FriendEvent } from "../friend-event";

/**
 * The convergence rule of the friend table, shared by every store and sink that keeps one.
 *
 * Two independent relations per ordered pair (owner, other) within (provider, appId): `friend` and
 * `blocked`. Each is a last-writer-wins register whose version is (Date.parse(occurredAt), event id),
 * compared in that order, the id as a plain string. A change applies only when its version is
 * greater than the stored one; a removal keeps its version as a tombstone. The result therefore does
 * not depend on delivery order or on duplicates.
 */
export type FriendRelation = "friend" | "blocked";

export interface RelationVersion {
  /** `Date.parse(occurredAt)`; 0 when the time cannot be read. */
  readonly occurredAt: number;
  readonly eventId: string;
}

export interface RelationRegister {
  /** Whether the relation holds; `false` is a tombstone that still carries its version. */
  readonly value: boolean;
  readonly version: RelationVersion;
}

export interface RelationChange {
  readonly provider: string;
  readonly appId: string;
  readonly owner: string;
  readonly other: string;
  readonly relation: FriendRelation;
  readonly value: boolean;
  readonly version: RelationVersion;
}

/** Negative when `left` is older than `right`, positive when newer, 0 when equal. */
export function compareRelationVersions(left: RelationVersion, right: RelationVersion): number {
  if (left.occurredAt !== right.occurredAt) return left.occurredAt < right.occurredAt ? -1 : 1;
  if (left.eventId === right.eventId) return 0;
  return left.eventId < right.eventId ? -1 : 1;
}

const relationOfType = {
  "friend.added": { relation: "friend", value: true },
  "friend.removed": { relation: "friend", value: false },
  "friend.blocked": { relation: "blocked", value: true },
  "friend.unblocked": { relation: "blocked", value: false },
} as const satisfies Record<string, { relation: FriendRelation; value: boolean }>;

function versionOf(event: FriendEvent): RelationVersion {
  const occurredAt = Date.parse(event.occurredAt);
  return { occurredAt: Number.isFinite(occurredAt) ? occurredAt : 0, eventId: event.id };
}

/**
 * The register writes one event asks for: owner=actor, other=target, and the reverse direction
 * too when the event is `mutual`. Request events and `friend.operation.failed` ask for none.
 */
export function relationChangesOf(event: FriendEvent): RelationChange[] {
  if (!(event.type in relationOfType)) return [];
  const { relation, value } = relationOfType[event.type as keyof typeof relationOfType];
  const version = versionOf(event);
  const change = (owner: string, other: string): RelationChange => ({
    provider: event.provider,
    appId: event.appId,
    owner,
    other,
    relation,
    value,
    version,
  });
  const changes = [change(event.actor, event.target)];
  if (event.mutual && event.actor !== event.target) changes.push(change(event.target, event.actor));
  return changes;
}

/** The register after `change`, or `undefined` when the change is not newer and nothing must be written. */
export function applyRelationChange(
  current: RelationRegister | undefined,
  change: RelationChange,
): RelationRegister | undefined {
  if (current && compareRelationVersions(change.version, current.version) <= 0) return undefined;
  return { value: change.value, version: change.version };
}
