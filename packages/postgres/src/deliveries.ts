import type { FriendEvent } from "@friendhook/core";
import {
  type ClaimDeliveriesInput,
  type DeadLetter,
  type Delivery,
  type DeliveryCounts,
  type DeliveryFailure,
  activitySecond,
  deliveryOrderKey,
} from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/** A pending delivery to be written: the delivery id grows in the order these are given. */
export interface QueuedDelivery {
  readonly sink: string;
  readonly eventId: string;
  readonly orderKey: string;
}

/** One delivery per event and sink, event by event: a pair's deliveries to one sink keep the events' order. */
export function queuedDeliveriesOf(events: readonly FriendEvent[], sinks: readonly string[]): QueuedDelivery[] {
  return events.flatMap((event) => sinks.map((sink) => ({ sink, eventId: event.id, orderKey: deliveryOrderKey(event) })));
}

/** Writes the deliveries pending in one statement, in the order given, each with its event's sequence. */
export async function insertQueuedDeliveries(client: ClientBase, tables: TableNames, rows: readonly QueuedDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${tables.deliveries} (sink, event_id, event_sequence, order_key, state)
     SELECT queued.sink, queued.event_id, event.sequence, queued.order_key, 'pending'
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS queued(sink, event_id, order_key, position)
     JOIN ${tables.events} AS event ON event.id = queued.event_id
     ORDER BY queued.position`,
    [rows.map((row) => row.sink), rows.map((row) => row.eventId), rows.map((row) => row.orderKey)],
  );
}

interface CandidateRow {
  id: string;
  order_key: string;
  sequence: string;
  attempts: number;
  event: FriendEvent;
}

/** The deliveries a claim may take (`$1` sink, `$2` now, `$3` limit); `test/inspection.test.ts` checks its plan. */
export function claimCandidatesQuery(tables: TableNames): string {
  return `SELECT delivery.id, delivery.order_key, delivery.event_sequence AS sequence, delivery.attempts, event.event
     FROM ${tables.deliveries} AS delivery JOIN ${tables.events} AS event ON event.id = delivery.event_id
     WHERE delivery.sink = $1 AND delivery.state = 'pending'
       AND delivery.available_at <= $2 AND delivery.leased_until <= $2
       AND NOT EXISTS (
         SELECT 1 FROM ${tables.deliveries} AS earlier
         WHERE earlier.sink = delivery.sink AND earlier.order_key = delivery.order_key AND earlier.state = 'pending'
           AND earlier.event_sequence < delivery.event_sequence AND (earlier.available_at > $2 OR earlier.leased_until > $2))
       AND NOT EXISTS (SELECT 1 FROM ${tables.backfills} AS backfill WHERE backfill.sink = $1 AND backfill.next_sequence IS NOT NULL)
     ORDER BY delivery.event_sequence
     LIMIT $3
     FOR UPDATE OF delivery SKIP LOCKED`;
}

/**
 * Claims due deliveries of one sink, in their events' order, leasing them until `now + leaseMs`.
 *
 * Candidates are due, unleased, and have no pending delivery of their order key for an earlier
 * event that is waiting for a retry or leased; none while the sink has an unfinished backfill. They
 * are locked `FOR UPDATE SKIP LOCKED`, so that processes claiming at once never get the same
 * delivery. A skipped row is one another process is claiming or settling right now; an order key
 * with such a row for an earlier event than a candidate's is held back too, so that a pair's
 * deliveries never overtake each other.
 */
export async function claimDeliveries(client: ClientBase, tables: TableNames, input: ClaimDeliveriesInput): Promise<Delivery[]> {
  const candidates = await client.query<CandidateRow>(
    claimCandidatesQuery(tables),
    [input.sink, input.now, input.limit],
  );
  if (candidates.rows.length === 0) return [];

  const lastSequence = candidates.rows.at(-1)?.sequence;
  const earlier = await client.query<{ id: string; order_key: string; event_sequence: string }>(
    `SELECT id, order_key, event_sequence FROM ${tables.deliveries}
     WHERE sink = $1 AND state = 'pending' AND order_key = ANY($2::text[]) AND event_sequence < $3`,
    [input.sink, [...new Set(candidates.rows.map((row) => row.order_key))], lastSequence],
  );
  const pendingByKey = new Map<string, Array<{ id: string; sequence: bigint }>>();
  for (const row of earlier.rows) {
    const pending = pendingByKey.get(row.order_key) ?? [];
    pending.push({ id: row.id, sequence: BigInt(row.event_sequence) });
    pendingByKey.set(row.order_key, pending);
  }

  const accepted = new Set<string>();
  const claimed: CandidateRow[] = [];
  for (const row of candidates.rows) {
    const sequence = BigInt(row.sequence);
    const everyEarlierClaimed = (pendingByKey.get(row.order_key) ?? []).every((other) => other.sequence >= sequence || accepted.has(other.id));
    if (!everyEarlierClaimed) continue;
    accepted.add(row.id);
    claimed.push(row);
  }
  if (claimed.length === 0) return [];

  await client.query(`UPDATE ${tables.deliveries} SET leased_until = $1 WHERE id = ANY($2::bigint[])`, [
    input.now + input.leaseMs,
    claimed.map((row) => row.id),
  ]);
  return claimed.map((row) => ({
    deliveryId: row.id,
    sink: input.sink,
    event: row.event,
    sequence: Number(row.sequence),
    attempts: row.attempts,
  }));
}

/**
 * Deletes delivered deliveries and counts them in the second they completed (`now`, epoch
 * milliseconds), per sink; one no longer pending (dead-lettered meanwhile) is left alone. The counts
 * are written in sink order, so that concurrent completions lock their rows in one order.
 */
export async function completeDeliveries(client: ClientBase | Pool, tables: TableNames, deliveryIds: readonly bigint[], now: number): Promise<void> {
  if (deliveryIds.length === 0) return;
  await client.query(
    `WITH completed AS (
       DELETE FROM ${tables.deliveries} WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING sink
     )
     INSERT INTO ${tables.deliveredPerSecond} (second, sink, deliveries)
     SELECT $2, sink, count(*) FROM completed GROUP BY sink ORDER BY sink COLLATE "C"
     ON CONFLICT (second, sink) DO UPDATE SET deliveries = ${tables.deliveredPerSecond}.deliveries + excluded.deliveries`,
    [deliveryIds.map(String), activitySecond(now)],
  );
}

/** Counts a failed attempt: scheduled for a retry, or dead-lettered. Only pending deliveries change. */
export async function failDelivery(
  client: ClientBase,
  tables: TableNames,
  deliveryId: bigint,
  failure: DeliveryFailure,
  now: number,
): Promise<void> {
  if ("deadLetter" in failure) {
    await client.query(
      `UPDATE ${tables.deliveries}
       SET attempts = attempts + 1, last_error = $2, state = 'dead', dead_lettered_at = $3, leased_until = 0
       WHERE id = $1 AND state = 'pending'`,
      [String(deliveryId), failure.error, now],
    );
  } else {
    await client.query(
      `UPDATE ${tables.deliveries}
       SET attempts = attempts + 1, last_error = $2, available_at = $3, leased_until = 0
       WHERE id = $1 AND state = 'pending'`,
      [String(deliveryId), failure.error, failure.retryAt],
    );
  }
}

interface DeadLetterRow {
  id: string;
  sink: string;
  attempts: number;
  last_error: string;
  dead_lettered_at: string;
  event: FriendEvent;
}

export async function selectDeadLetters(
  client: ClientBase | Pool,
  tables: TableNames,
  sink: string | undefined,
  afterId: number,
  limit: number,
): Promise<DeadLetter[]> {
  const result = await client.query<DeadLetterRow>(
    `SELECT delivery.id, delivery.sink, delivery.attempts, delivery.last_error, delivery.dead_lettered_at, event.event
     FROM ${tables.deliveries} AS delivery JOIN ${tables.events} AS event ON event.id = delivery.event_id
     WHERE delivery.state = 'dead' AND ($1::text IS NULL OR delivery.sink = $1) AND delivery.id > $2
     ORDER BY delivery.id LIMIT $3`,
    [sink ?? null, afterId, limit],
  );
  return result.rows.map((row) => ({
    deliveryId: row.id,
    sink: row.sink,
    event: row.event,
    attempts: row.attempts,
    lastError: row.last_error,
    deadLetteredAt: new Date(Number(row.dead_lettered_at)).toISOString(),
  }));
}

/** Moves dead letters back to pending, due at `now`, attempts reset; returns how many. */
export async function replayDeadLetters(
  client: ClientBase | Pool,
  tables: TableNames,
  sink: string | undefined,
  deliveryIds: readonly bigint[] | undefined,
  now: number,
): Promise<number> {
  const result = await client.query(
    `UPDATE ${tables.deliveries}
     SET state = 'pending', attempts = 0, available_at = $3, leased_until = 0, dead_lettered_at = NULL
     WHERE state = 'dead' AND ($1::text IS NULL OR sink = $1) AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
    [sink ?? null, deliveryIds?.map(String) ?? null, now],
  );
  return result.rowCount ?? 0;
}

export async function countDeliveries(client: ClientBase | Pool, tables: TableNames): Promise<DeliveryCounts[]> {
  const result = await client.query<{ sink: string; pending: number; dead_lettered: number }>(
    `SELECT sink,
       count(*) FILTER (WHERE state = 'pending')::integer AS pending,
       count(*) FILTER (WHERE state = 'dead')::integer AS dead_lettered
     FROM ${tables.deliveries} GROUP BY sink ORDER BY sink COLLATE "C"`,
  );
  return result.rows.map((row) => ({ sink: row.sink, pending: row.pending, deadLettered: row.dead_lettered }));
}
