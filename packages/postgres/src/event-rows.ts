import type { FriendEvent } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import { storedPositions } from "./stored-positions";
import type { TableNames } from "./table-names";

/** What the events of a batch link to, each list parallel to the events; absent or null where nothing. */
export interface EventRowLinks {
  /** The stored callback each event came from (a store's events). */
  readonly callbackSequences?: ReadonlyArray<string | null>;
  /** The store sequence each event was given with (`DeliveryContext.sequences`, a sink's events). */
  readonly storeSequences?: readonly number[];
}

/**
 * Inserts a batch in one statement, keeping the first copy of every id. `ORDER BY position` makes
 * the identity column count in batch order, so the stored order is the delivery order. Each event
 * links to the callback and carries the store sequence at its position of `links`. Returns, per
 * position, whether that event was new.
 */
export async function insertEventRows(
  client: ClientBase,
  tables: TableNames,
  events: readonly FriendEvent[],
  links: EventRowLinks = {},
): Promise<boolean[]> {
  if (events.length === 0) return [];
  const result = await client.query<{ id: string; sequence: string }>(
    `INSERT INTO ${tables.events}
       (id, provider, app_id, type, actor, target, mutual, occurred_at, received_at, event, callback_sequence, store_sequence)
     SELECT
       batch.event->>'id', batch.event->>'provider', batch.event->>'appId', batch.event->>'type',
       batch.event->>'actor', batch.event->>'target', (batch.event->>'mutual')::boolean,
       (batch.event->>'occurredAt')::timestamptz, (batch.event->>'receivedAt')::timestamptz, batch.event,
       ($2::bigint[])[batch.position::integer], ($3::bigint[])[batch.position::integer]
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(event, position)
     ORDER BY batch.position
     ON CONFLICT (id) DO NOTHING
     RETURNING id, sequence`,
    [JSON.stringify(events), links.callbackSequences ?? null, links.storeSequences?.map(String) ?? null],
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
