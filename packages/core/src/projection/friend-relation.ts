import type { FriendEvent } from "../friend-event";
import type { RelationshipEventType } from "../friend-event-type";
import { type OrderingWindow, orderingWindowOf } from "./ordering-window";

/**
 * The rule of the friend table, shared by every store and sink that keeps one.
 *
 * Two independent relations per ordered pair (owner, other) within (provider, appId): `friend` and
 * `blocked`, each a register holding the value of one change. Each change has an ordering window
 * (`orderingWindowOf`: its time, bounded by its receive time plus `clockSkewMs`, widened by its
 * precision and the skew). Changes are applied in arrival order (the store's sequence), and a change
 * applies unless it is clearly older (`isClearlyBefore`) than some change already applied to that
 * register. So the provider's times decide where they can, and arrival decides where they cannot.
 *
 * The register keeps, besides the value, the greatest `earliest` of every change applied
 * (`notBefore`): a change whose window ends at or before it is clearly older than one of them.
 * Applied in arrival order, the register then holds the value of the change that arrived last among
 * those no other change is clearly newer than, whatever the arrival order was. A change applied
 * out of arrival order gives a different result: a sink that receives changes out of order
 * recomputes the register from its changes in arrival order.
 */
export type FriendRelation = "friend" | "blocked";

export interface RelationRegister {
  /** Whether the relation holds; `false` is a tombstone that still bounds what may apply. */
  readonly value: boolean;
  /** The change that set `value`. */
  readonly eventId: string;
  /** That change's `occurredAt` as sent, epoch milliseconds (0 when unreadable): for reading, not for ordering. */
  readonly occurredAt: number;
  /** The greatest `earliest` of the windows of every change applied, epoch milliseconds. */
  readonly notBefore: number;
}

export interface RelationChange {
  readonly provider: string;
  readonly appId: string;
  readonly owner: string;
  readonly other: string;
  readonly relation: FriendRelation;
  readonly value: boolean;
  readonly eventId: string;
  /** `occurredAt` as sent, epoch milliseconds (0 when unreadable). */
  readonly occurredAt: number;
  readonly window: OrderingWindow;
}

const relationOfType = {
  "friend.added": { relation: "friend", value: true },
  "friend.removed": { relation: "friend", value: false },
  "friend.blocked": { relation: "blocked", value: true },
  "friend.unblocked": { relation: "blocked", value: false },
} as const satisfies Record<RelationshipEventType, { relation: FriendRelation; value: boolean }>;

/**
 * The register writes one event asks for: owner=actor, other=target, and the reverse direction
 * too when the event is `mutual`. Request events and `friend.operation.failed` ask for none.
 */
export function relationChangesOf(event: FriendEvent): RelationChange[] {
  if (!(event.type in relationOfType)) return [];
  const { relation, value } = relationOfType[event.type as keyof typeof relationOfType];
  const parsed = Date.parse(event.occurredAt);
  const occurredAt = Number.isFinite(parsed) ? parsed : 0;
  const window = orderingWindowOf(event);
  // Each change a literal of its own, not a spread of shared fields: this runs for every stored
  // event, and spreading into a literal with further keys is V8's slow path.
  const change = (owner: string, other: string): RelationChange => ({
    provider: event.provider,
    appId: event.appId,
    owner,
    relation,
    other,
    value,
    eventId: event.id,
    occurredAt,
    window,
  });
  const changes = [change(event.actor, event.target)];
  if (event.mutual && event.actor !== event.target) changes.push(change(event.target, event.actor));
  return changes;
}

/**
 * The register after `change`, which arrived after every change `current` holds; `undefined` when
 * the change is clearly older than one of those and nothing must be written. A change must be
 * applied once: stores apply the changes of newly stored events only.
 */
export function applyRelationChange(
  current: RelationRegister | undefined,
  change: RelationChange,
): RelationRegister | undefined {
  // Clearly older (`isClearlyBefore`) than the applied change whose window begins at `notBefore`.
  if (current && change.window.latest <= current.notBefore) return undefined;
  return {
    value: change.value,
    eventId: change.eventId,
    occurredAt: change.occurredAt,
    notBefore: Math.max(current?.notBefore ?? Number.NEGATIVE_INFINITY, change.window.earliest),
  };
}

/** The register that `changes` (of one register, in arrival order) leave, from nothing; `undefined` for none. */
export function foldRelationChanges(changes: Iterable<RelationChange>): RelationRegister | undefined {
  let register: RelationRegister | undefined;
  for (const change of changes) register = applyRelationChange(register, change) ?? register;
  return register;
}
