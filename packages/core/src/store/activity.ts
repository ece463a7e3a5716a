import type { SecondCount } from "./friend-event-store";

/**
 * How far back a store keeps its per-second counts (`FriendEventStore.activity`): the last hour, as
 * an operator's view reads them. Older seconds may be pruned at any time.
 */
export const activityWindowMs = 3_600_000;

/** How often a store prunes seconds older than the window at most: they are never read again, so this only bounds the table. */
export const activityPruneIntervalMs = 60_000;

/** The second (epoch seconds) an instant (epoch milliseconds) falls in: the unit of every count. */
export function activitySecond(epochMilliseconds: number): number {
  return Math.floor(epochMilliseconds / 1000);
}

/** The first second still kept at `now`: seconds before it may be pruned. */
export function oldestActivitySecond(now: number): number {
  return activitySecond(now - activityWindowMs) - 1;
}

/** The first second an `activity` read covers: `since`, but no further back than the window. */
export function firstActivitySecond(since: number, now: number): number {
  return Math.max(activitySecond(since), oldestActivitySecond(now));
}

/** Rows of (second, count), seconds ascending, as the stores read them. */
export function toSecondCounts(rows: Iterable<{ second: number | string; count: number | string }>): SecondCount[] {
  return [...rows].map((row) => ({ second: Number(row.second), count: Number(row.count) }));
}
