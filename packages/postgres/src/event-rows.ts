import type { FriendEvent } from "@friendhook/core";
import type { ClientBase } from "pg";
import type { TableNames } from "./table-names";

/**
 * Inserts a batch in one statement, keeping the first copy of every id. `ORDER BY position` makes
 * the identity column count in batch order, so the stored order is the delivery order. Returns how
 * many events were new.
 */
export async function insertEvents(client: ClientBase, names: TableNames, events: readonly FriendEvent[]): Promise<number> {
  const result = await client.query(
    `INSERT INTO ${names.events}
       (id, provider, app_id, type, actor, target, mutual, occurred_at, received_at, event)
     SELECT
       batch.event->>'id', batch.event->>'provider', batch.event->>'appId', batch.event->>'type',
       batch.event->>'actor', batch.event->>'target', (batch.event->>'mutual')::boolean,
       (batch.event->>'occurredAt')::timestamptz, (batch.event->>'receivedAt')::timestamptz, batch.event
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(event, position)
     ORDER BY batch.position
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(events)],
  );
  return result.rowCount ?? 0;
}

