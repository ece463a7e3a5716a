import type { UnrecognizedCallbackRecord } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import { storedPositions } from "./stored-positions";
import type { TableNames } from "./table-names";

/** Stores many records in one statement, in the order given; returns, per record, whether it was new. */
export async function insertUnrecognizedCallbacks(
  client: ClientBase,
  tables: TableNames,
  records: readonly UnrecognizedCallbackRecord[],
): Promise<boolean[]> {
  if (records.length === 0) return [];
  const column = (read: (record: UnrecognizedCallbackRecord) => string) => records.map(read);
  const result = await client.query<{ id: string }>(
    `INSERT INTO ${tables.unrecognizedCallbacks} (id, provider, app_id, command, reason, received_at, body)
     SELECT callback.id, callback.provider, callback.app_id, callback.command, callback.reason, callback.received_at, callback.body
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
       AS callback(id, provider, app_id, command, reason, received_at, body, position)
     ORDER BY callback.position
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      column((record) => record.id),
      column((record) => record.provider),
      column((record) => record.appId),
      column((record) => record.command),
      column((record) => record.reason),
      column((record) => record.receivedAt),
      column((record) => record.body),
    ],
  );
  return storedPositions(
    records.map((record) => record.id),
    result.rows.map((row) => row.id),
  );
}

interface UnrecognizedRow {
  sequence: string;
  id: string;
  provider: string;
  app_id: string;
  command: string;
  reason: string;
  received_at: string;
  body: string;
}

export async function selectUnrecognizedCallbacks(
  client: ClientBase | Pool,
  tables: TableNames,
  afterSequence: number,
  limit: number,
): Promise<Array<{ sequence: number; record: UnrecognizedCallbackRecord }>> {
  const result = await client.query<UnrecognizedRow>(
    `SELECT sequence, id, provider, app_id, command, reason, received_at, body FROM ${tables.unrecognizedCallbacks}
     WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
    [afterSequence, limit],
  );
  return result.rows.map((row) => ({
    sequence: Number(row.sequence),
    record: {
      id: row.id,
      provider: row.provider,
      appId: row.app_id,
      command: row.command,
      reason: row.reason,
      receivedAt: row.received_at,
      body: row.body,
    },
  }));
}
