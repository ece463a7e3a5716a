import { type FriendEvent, friendEventTypes } from "@friendhook/core";
import { buildFriendEvent } from "@friendhook/testkit";
import fc from "fast-check";

export const collidingAppIds = ["org#app", "org#other"] as const;
/** The instant the events' times count from. */
export const collisionInstant = Date.UTC(2024, 4, 1);

export interface CollidingEventsOptions {
  readonly users: readonly string[];
  /** The events' times are 0 to this many milliseconds after `collisionInstant`. */
  readonly latestMillisecond: number;
}

/**
 * 1 to 24 Easemob events with distinct ids among few users, two apps and few distinct times, so
 * that they collide on the same friend-table registers and on the same millisecond (where the
 * event id decides). One id is one provider fact.
 */
export function collidingEvents({ users, latestMillisecond }: CollidingEventsOptions): fc.Arbitrary<FriendEvent[]> {
  const spec = fc.record({
    id: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 6, maxLength: 6 }).map((hex) => `evt_${hex}`),
    type: fc.constantFrom(...friendEventTypes),
    appId: fc.constantFrom(...collidingAppIds),
    actor: fc.constantFrom(...users),
    target: fc.constantFrom(...users),
    mutual: fc.boolean(),
    millisecond: fc.integer({ min: 0, max: latestMillisecond }),
  });
  return fc.uniqueArray(spec, { selector: (event) => event.id, minLength: 1, maxLength: 24 }).map((specs) =>
    specs.map((event) => {
      const occurredAt = new Date(collisionInstant + event.millisecond).toISOString();
      return buildFriendEvent({
        id: event.id,
        type: event.type,
        provider: "easemob",
        appId: event.appId,
        actor: event.actor,
        target: event.target,
        mutual: event.mutual,
        occurredAt,
        occurredAtSource: "provider-milliseconds",
        receivedAt: occurredAt,
        details: event.type === "friend.operation.failed" ? { attemptedType: "friend.removed", failureCode: "timeout" } : {},
      } as Partial<FriendEvent>);
    }),
  );
}
