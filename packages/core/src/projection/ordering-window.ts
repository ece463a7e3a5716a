import type { FriendEvent, OccurredAtSource } from "../friend-event";

/**
 * How far a time used for ordering may be from the truth, in milliseconds, whoever's clock wrote
 * it: the provider's clock against the receiver's, one receiver instance against another, and the
 * usual delay between a change and its callback. Providers and servers keep their clocks within
 * well under a second of each other (NTP); 5 s leaves room for a badly kept clock and a slow
 * callback, while two changes more than about 10 s apart are still ordered by their times. It also
 * bounds a provider time in the future: no time counts as later than its receive time plus this.
 */
export const clockSkewMs = 5_000;

/** How long one tick of each source of `occurredAt` is: a time in whole seconds names the start of its second. */
export const occurredAtPrecisionMs: Readonly<Record<OccurredAtSource, number>> = {
  "provider-seconds": 1_000,
  "provider-milliseconds": 1,
  received: 1,
};

/**
 * When a change may have happened, as epoch milliseconds, half open: `earliest ≤ instant < latest`.
 * For a time `t` (first bounded by `receivedAt + clockSkewMs`) of precision `p`:
 * `[t − clockSkewMs, t + p + clockSkewMs)`.
 */
export interface OrderingWindow {
  readonly earliest: number;
  readonly latest: number;
}

function epochMilliseconds(instant: string): number | undefined {
  const parsed = Date.parse(instant);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** The window of an event's change. Events read back from storage written before `occurredAtSource` existed count as seconds. */
export function orderingWindowOf(event: Pick<FriendEvent, "occurredAt" | "occurredAtSource" | "receivedAt">): OrderingWindow {
  const receivedAt = epochMilliseconds(event.receivedAt);
  const occurredAt = epochMilliseconds(event.occurredAt) ?? receivedAt ?? 0;
  // A provider time is whatever the callback says (Tencent's is not signed): bounded, so that a time
  // in the future cannot outrank the changes that really come after it.
  const bounded = receivedAt === undefined ? occurredAt : Math.min(occurredAt, receivedAt + clockSkewMs);
  const precision = (occurredAtPrecisionMs as Partial<Record<string, number>>)[event.occurredAtSource] ?? occurredAtPrecisionMs["provider-seconds"];
  return { earliest: bounded - clockSkewMs, latest: bounded + precision + clockSkewMs };
}

/**
 * Whether `left` surely happened before `right`: its window ends where (or before) the other's
 * begins. When neither is clearly before the other, their times cannot order them and arrival does.
 * The relation is transitive (an interval order); "not clearly before" is not.
 */
export function isClearlyBefore(left: OrderingWindow, right: OrderingWindow): boolean {
  return left.latest <= right.earliest;
}
