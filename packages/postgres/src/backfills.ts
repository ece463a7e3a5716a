import {
  type Backfill,
  type BackfillProgress,
  type BeginBackfillInput,
  beginBackfillRange,
  type ContinueBackfillInput,
  deliveryOrderKey,
  nextBackfillSequence,
  resolveBackfillLimit,
} from "@friendhook/core";
import type { PoolClient } from "pg";
import { lockAppends } from "./append-batch";
import { insertQueuedDeliveries } from "./deliveries";
import type { TableNames } from "./table-names";

interface BackfillRow {
  id: string;
  sink: string;
  name: string;
  from_sequence: string;
  to_sequence: string;
  next_sequence: string | null;
  enqueued: string;
}

function toBackfill(row: BackfillRow): Backfill {
  return {
    sink: row.sink,
    name: row.name,
    fromSequence: Number(row.from_sequence),
    toSequence: Number(row.to_sequence),
    nextSequence: row.next_sequence === null ? undefined : Number(row.next_sequence),
    enqueued: Number(row.enqueued),
  };
}

/**
 * Records a backfill, or reads the one recorded under its sink and name. Under the appends' lock:
 * the range ends at the last event stored before it, and every later one has its delivery already.
 */
export async function beginBackfill(client: PoolClient, tables: TableNames, input: BeginBackfillInput): Promise<Backfill> {
  const read = () => client.query<BackfillRow>(`SELECT * FROM ${tables.backfills} WHERE sink = $1 AND name = $2`, [input.sink, input.name]);
  const known = (await read()).rows[0];
  if (known) return toBackfill(known);
  await lockAppends(client, tables);
  const stored = await client.query<{ first: string | null; last: string | null }>(
    `SELECT (SELECT min(sequence) FROM ${tables.events}) AS first, (SELECT max(sequence) FROM ${tables.events}) AS last`,
  );
  const range = beginBackfillRange(input, {
    first: stored.rows[0]?.first == null ? undefined : Number(stored.rows[0].first),
    last: stored.rows[0]?.last == null ? undefined : Number(stored.rows[0].last),
  });
  // Another process may have begun it meanwhile: its record stands.
  await client.query(
    `INSERT INTO ${tables.backfills} (sink, name, from_sequence, to_sequence, next_sequence) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sink, name) DO NOTHING`,
    [input.sink, input.name, range.fromSequence, range.toSequence, range.nextSequence ?? null],
  );
  return toBackfill((await read()).rows[0] as BackfillRow);
}

interface BackfillEventRow {
  id: string;
  sequence: string;
  provider: string;
  app_id: string;
  actor: string;
  target: string;
  has_delivery: boolean;
}

/**
 * The stored events of a batch (`$1` sink, `$2` from, `$3` to, `$4` limit), each with whether it
 * still has a delivery to the sink; `test/inspection.test.ts` checks its plan.
 */
export function backfillBatchQuery(tables: TableNames): string {
  return `SELECT event.id, event.sequence, event.provider, event.app_id, event.actor, event.target,
      EXISTS (SELECT 1 FROM ${tables.deliveries} AS delivery WHERE delivery.event_id = event.id AND delivery.sink = $1) AS has_delivery
    FROM ${tables.events} AS event WHERE event.sequence >= $2 AND event.sequence <= $3 ORDER BY event.sequence LIMIT $4`;
}

/**
 * Enqueues the next batch of the sink's oldest unfinished backfill and records its progress. The
 * backfill's row is locked first, so that processes continuing it at once take batches in turn.
 */
export async function continueBackfill(client: PoolClient, tables: TableNames, { sink, limit }: ContinueBackfillInput): Promise<BackfillProgress> {
  const unfinished = await client.query<BackfillRow>(
    `SELECT * FROM ${tables.backfills} WHERE sink = $1 AND next_sequence IS NOT NULL ORDER BY id LIMIT 1 FOR UPDATE`,
    [sink],
  );
  const backfill = unfinished.rows[0];
  if (!backfill || backfill.next_sequence === null) return { enqueued: 0, finished: true };
  const batchLimit = resolveBackfillLimit(limit);
  const batch = await client.query<BackfillEventRow>(backfillBatchQuery(tables), [sink, backfill.next_sequence, backfill.to_sequence, batchLimit]);
  const queued = batch.rows
    .filter((row) => !row.has_delivery)
    .map((row) => ({ sink, eventId: row.id, orderKey: deliveryOrderKey({ provider: row.provider, appId: row.app_id, actor: row.actor, target: row.target }) }));
  await insertQueuedDeliveries(client, tables, queued);
  const lastLookedAt = batch.rows.at(-1)?.sequence;
  const next = nextBackfillSequence(
    { toSequence: Number(backfill.to_sequence) },
    { looked: batch.rows.length, limit: batchLimit, lastLookedAt: lastLookedAt === undefined ? undefined : Number(lastLookedAt) },
  );
  await client.query(`UPDATE ${tables.backfills} SET next_sequence = $1, enqueued = enqueued + $2 WHERE id = $3`, [next ?? null, queued.length, backfill.id]);
  const left = await client.query(`SELECT 1 FROM ${tables.backfills} WHERE sink = $1 AND next_sequence IS NOT NULL LIMIT 1`, [sink]);
  return { enqueued: queued.length, finished: left.rowCount === 0 };
}
