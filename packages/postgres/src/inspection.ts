import {
  type Activity,
  activityPruneIntervalMs,
  activitySecond,
  type FriendEvent,
  firstActivitySecond,
  mergeUserEvents,
  oldestActivitySecond,
  type EventPage,
  type SinkDeliveryStatistics,
  toSecondCounts,
  type FriendsOfInput,
} from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/**
 * The queries of an operator's view. Each reads an index range, never every row:
 * `test/inspection.test.ts` checks their plans with EXPLAIN.
 */
export function inspectionQueries(tables: TableNames) {
  const userEvents = (column: "actor" | "target") =>
    `SELECT sequence, event FROM ${tables.events}
     WHERE provider = $1 AND app_id = $2 AND ${column} = $3 AND sequence > $4 ORDER BY sequence LIMIT $5`;
  return {
    userEventsAsActor: userEvents("actor"),
    userEventsAsTarget: userEvents("target"),
    latestEvents: `SELECT sequence, event FROM ${tables.events} ORDER BY sequence DESC LIMIT $1`,
    pending: `SELECT count(*)::bigint AS count FROM ${tables.deliveries} WHERE sink = $1 AND state = 'pending'`,
    deadLettered: `SELECT count(*)::bigint AS count FROM ${tables.deliveries} WHERE sink = $1 AND state = 'dead'`,
    failed: `SELECT state, count(*)::bigint AS count, sum(attempts)::bigint AS attempts FROM ${tables.deliveries}
      WHERE sink = $1 AND attempts > 0 GROUP BY state`,
    oldestPending: `SELECT event.received_at FROM ${tables.deliveries} AS delivery JOIN ${tables.events} AS event ON event.id = delivery.event_id
      WHERE delivery.sink = $1 AND delivery.state = 'pending' ORDER BY delivery.event_sequence LIMIT 1`,
    storedSince: `SELECT second, events AS count FROM ${tables.storedPerSecond} WHERE second >= $1 ORDER BY second`,
    deliveredSince: `SELECT second, sink, deliveries AS count FROM ${tables.deliveredPerSecond} WHERE second >= $1 ORDER BY second`,
    pruneStored: `DELETE FROM ${tables.storedPerSecond} WHERE second < $1`,
    pruneDelivered: `DELETE FROM ${tables.deliveredPerSecond} WHERE second < $1`,
  };
}

type Queries = ReturnType<typeof inspectionQueries>;

export async function selectUserEvents(client: Pool, queries: Queries, input: FriendsOfInput & { after: number; limit: number }): Promise<EventPage> {
  const parameters = [input.provider, input.appId, input.userId, input.after, input.limit];
  const [asActor, asTarget] = await Promise.all([
    client.query<{ sequence: string; event: FriendEvent }>(queries.userEventsAsActor, parameters),
    client.query<{ sequence: string; event: FriendEvent }>(queries.userEventsAsTarget, parameters),
  ]);
  return mergeUserEvents(asActor.rows, asTarget.rows, input.limit);
}

export async function selectLatestEvents(client: Pool, queries: Queries, limit: number): Promise<EventPage> {
  const rows = (await client.query<{ sequence: string; event: FriendEvent }>(queries.latestEvents, [limit])).rows.reverse();
  return { events: rows.map((row) => row.event), next: rows.at(-1)?.sequence };
}

export async function selectDeliveryStatistics(client: ClientBase, queries: Queries, sink: string): Promise<SinkDeliveryStatistics> {
  const pending = await client.query<{ count: string }>(queries.pending, [sink]);
  const dead = await client.query<{ count: string }>(queries.deadLettered, [sink]);
  const failed = await client.query<{ state: "pending" | "dead"; count: string; attempts: string }>(queries.failed, [sink]);
  const oldest = await client.query<{ received_at: Date }>(queries.oldestPending, [sink]);
  const failedPending = failed.rows.find((row) => row.state === "pending");
  return {
    sink,
    pending: Number(pending.rows[0]?.count ?? 0),
    retrying: Number(failedPending?.count ?? 0),
    deadLettered: Number(dead.rows[0]?.count ?? 0),
    failedAttempts: failed.rows.reduce((total, row) => total + Number(row.attempts), 0),
    oldestPendingReceivedAt: oldest.rows[0]?.received_at.toISOString(),
  };
}

export async function selectActivity(client: Pool, queries: Queries, since: number, now: number): Promise<Activity> {
  const first = firstActivitySecond(since, now);
  const [stored, deliveredRows] = await Promise.all([
    client.query<{ second: string; count: string }>(queries.storedSince, [first]),
    client.query<{ second: string; sink: string; count: string }>(queries.deliveredSince, [first]),
  ]);
  const delivered = new Map<string, Array<{ second: string; count: string }>>();
  for (const row of deliveredRows.rows) {
    const seconds = delivered.get(row.sink) ?? [];
    seconds.push(row);
    delivered.set(row.sink, seconds);
  }
  return {
    stored: toSecondCounts(stored.rows),
    delivered: [...delivered.entries()]
      .sort(([left], [right]) => (left < right ? -1 : 1))
      .map(([sink, seconds]) => ({ sink, seconds: toSecondCounts(seconds) })),
  };
}

/**
 * Counts the events an append batch stored in its transaction (appends of one schema take turns, so
 * the second's row is not contended), and prunes seconds past the window at most once per
 * `activityPruneIntervalMs` in this process.
 */
export function createStoredCounter(tables: TableNames): (client: ClientBase, stored: number, now: number) => Promise<void> {
  const queries = inspectionQueries(tables);
  let prunedAt = 0;
  return async (client, stored, now) => {
    if (stored > 0) {
      await client.query(
        `INSERT INTO ${tables.storedPerSecond} (second, events) VALUES ($1, $2)
         ON CONFLICT (second) DO UPDATE SET events = ${tables.storedPerSecond}.events + excluded.events`,
        [activitySecond(now), stored],
      );
    }
    if (now - prunedAt < activityPruneIntervalMs) return;
    prunedAt = now;
    await client.query(queries.pruneStored, [oldestActivitySecond(now)]);
    await client.query(queries.pruneDelivered, [oldestActivitySecond(now)]);
  };
}
