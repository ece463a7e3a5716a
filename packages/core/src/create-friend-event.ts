import { deriveEventId } from "./event-id";
import type { EventSource, FriendEvent, FriendEventDetails, FriendEventOfType, OccurredAtSource } from "./friend-event";

/** When the provider says a change happened, as an event carries it. */
export interface ProviderTime {
  /** ISO-8601, as `toISOString` writes it; within what an event can hold (see `isEventTimestamp`). */
  readonly occurredAt: string;
  readonly source: Exclude<OccurredAtSource, "received">;
}

/** Everything an event says besides its type; the id is derived from `identity`. */
export interface FriendEventFields<Type extends FriendEvent["type"]> {
  readonly provider: string;
  readonly appId: string;
  readonly actor: string;
  readonly target: string;
  readonly mutual: boolean;
  /** The provider's time of the change; the receive time stands in when it is absent. */
  readonly providerTime?: ProviderTime | undefined;
  /** ISO-8601. */
  readonly receivedAt: string;
  readonly source: EventSource;
  readonly details: FriendEventDetails<Type>;
  /**
   * What identifies the provider fact (see `deriveEventId`): the same on every retry and in every
   * view of the fact, different for any other fact. Never the receive time or a signature.
   */
  readonly identity: ReadonlyArray<string | number>;
}

/** A unified event, with its deterministic id: the one place adapters assemble events. */
export function createFriendEvent<Type extends FriendEvent["type"]>(type: Type, fields: FriendEventFields<Type>): FriendEventOfType<Type> {
  const event = {
    id: deriveEventId({ provider: fields.provider, appId: fields.appId, type, parts: fields.identity }),
    type,
    provider: fields.provider,
    appId: fields.appId,
    actor: fields.actor,
    target: fields.target,
    mutual: fields.mutual,
    occurredAt: fields.providerTime?.occurredAt ?? fields.receivedAt,
    occurredAtSource: fields.providerTime?.source ?? "received",
    receivedAt: fields.receivedAt,
    source: fields.source,
    details: fields.details,
  };
  return event as FriendEventOfType<Type>;
}
