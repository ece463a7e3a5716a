import type { PruneInput, PruneResult, StoreSize } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import { lockAppends } from "./append-batch";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

/**
 * Deletes at most `limit` rows that `candidates` picks (a SELECT of the table's key, oldest first,
 * which must end in FOR UPDATE SKIP LOCKED): several processes pruning at once take disjoint rows,
 * and a row an append or a claim holds is left for the next round.
 */
async function deleteBatch(client: Pool | ClientBase, table: string, key: string, candidates: string, values: unknown[]): Promise<number> {
  const result = await client.query(
    `WITH doomed AS (${candidates}) DELETE FROM ${table} AS target USING doomed WHERE (${key.split(", ").map((column) => `target.${column}`).join(", ")}) = (${key
      .split(", ")
      .map((column) => `doomed.${column}`)
      .join(", ")})`,
    values,
  );
  return result.rowCount ?? 0;
}

/**
 * One round of pruning (`FriendEventStore.prune`), each kind in its own short statement on the
 * indexes migration 6 made. Callbacks are deleted while holding the appends' lock, so that an
 * append never finds the callback it is linking its events to gone between two statements.
 */
export async function pruneStore(pool: Pool, tables: TableNames, input: PruneInput): Promise<PruneResult> {
  const limit = input.batchSize;
  const deadLetters = await deleteBatch(
    pool,
    tables.deliveries,
    "id",
    `SELECT id FROM ${tables.deliveries} WHERE state = 'dead' AND dead_lettered_at < $1 ORDER BY dead_lettered_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [input.deadLettersBefore, limit],
  );
  const events = await deleteBatch(
    pool,
    tables.events,
    "id",
    `SELECT id FROM ${tables.events} AS event WHERE received_at < to_timestamp($1::double precision / 1000)
       AND NOT EXISTS (SELECT 1 FROM ${tables.deliveries} AS delivery WHERE delivery.event_id = event.id)
     ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [input.eventsReceivedBefore, limit],
  );
  const callbacks = await inTransaction(pool, async (client) => {
    await lockAppends(client, tables);
    return deleteBatch(
      client,
      tables.callbacks,
      "sequence",
      `SELECT sequence FROM ${tables.callbacks} AS callback WHERE received_at < $1
         AND NOT EXISTS (SELECT 1 FROM ${tables.events} AS event WHERE event.callback_sequence = callback.sequence)
       ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [new Date(input.callbacksReceivedBefore).toISOString(), limit],
    );
  });
  const tombstones = await deleteBatch(
    pool,
    tables.friendRelations,
    "provider, app_id, owner_id, relation, other_id",
    `SELECT provider, app_id, owner_id, relation, other_id FROM ${tables.friendRelations}
     WHERE NOT active AND not_before < to_timestamp($1::double precision / 1000) ORDER BY not_before LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [input.tombstonesBefore, limit],
  );
  const decisions =
    input.decisionsBefore === undefined
      ? 0
      : await deleteBatch(
          pool,
          tables.decisions,
          "sequence",
          `SELECT sequence FROM ${tables.decisions} WHERE decided_at < to_timestamp($1::double precision / 1000)
           ORDER BY decided_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [input.decisionsBefore, limit],
        );
  return { events, deadLetters, callbacks, tombstones, decisions };
}

/** The events stored (an exact count: an index-only scan) and the bytes of the store's tables and their indexes. */
export async function measureStore(pool: Pool, tables: TableNames): Promise<StoreSize> {
  const relations = [tables.events, tables.deliveries, tables.callbacks, tables.friendRelations, tables.callbackBindings, tables.decisions, tables.backfills];
  const result = await pool.query<{ events: string; bytes: string }>(
    `SELECT (SELECT count(*) FROM ${tables.events}) AS events,
       (${relations.map((relation) => `pg_total_relation_size('${relation.replaceAll("'", "''")}')`).join(" + ")}) AS bytes`,
  );
  const row = result.rows[0];
  return { events: Number(row?.events ?? 0), bytes: Number(row?.bytes ?? 0) };
}
