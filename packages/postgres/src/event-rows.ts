import type { FriendEvent } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import { storedPositions } from "./stored-positions";
import type { TableNames } from "./table-names";

/**
 * Inserts a batch in one statement, keeping the first copy of every id. `ORDER BY position` makes
 * the identity column count in batch order, so the stored order is the delivery order. A sink passes
 * the store sequences it was given (`DeliveryContext.sequences`, parallel to `events`). Returns, per
 * position, whether that event was new.
 */
export async function insertEventRows(
  client: ClientBase,
  tables: TableNames,
  events: readonly FriendEvent[],
  storeSequences?: readonly number[],
): Promise<boolean[]> {
  if (events.length === 0) return [];
  const result = await client.query<{ id: string; sequence: string }>(
    `INSERT INTO ${tables.events}
       (id, provider, app_id, type, actor, target, mutual, occurred_at, received_at, event, store_sequence)
     SELECT
       batch.event->>'id', batch.event->>'provider', batch.event->>'appId', batch.event->>'type',
       batch.event->>'actor', batch.event->>'target', (batch.event->>'mutual')::boolean,
       (batch.event->>'occurredAt')::timestamptz, (batch.event->>'receivedAt')::timestamptz, batch.event,
       ($2::bigint[])[batch.position::integer]
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(event, position)
     ORDER BY batch.position
     ON CONFLICT (id) DO NOTHING
     RETURNING id, sequence`,
    [JSON.stringify(events), storeSequences?.map(String) ?? null],
  );
  return storedPositions(
    events.map((event) => event.id),
    result.rows.map((row) => row.id),
  );
}

/** Stored events after `afterSequence`, in stored order. */
export async function selectEvents(
  client: ClientBase | Pool,
  tables: TableNames,
  afterSequence: number,
  limit: number,
): Promise<Array<{ sequence: number; event: FriendEvent }>> {
  const result = await client.query<{ sequence: string; event: FriendEvent }>(
    `SELECT sequence, event FROM ${tables.events} WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
    [afterSequence, limit],
  );
  return result.rows.map((row) => ({ sequence: Number(row.sequence), event: row.event }));
}
