import type { UnrecognizedCallbackRecord } from "@friendhook/receiver";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/** Stores the record unless its id is stored already; returns whether it was new. */
export async function insertUnrecognizedCallback(client: ClientBase, tables: TableNames, record: UnrecognizedCallbackRecord): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO ${tables.unrecognizedCallbacks} (id, provider, app_id, command, reason, received_at, body)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [record.id, record.provider, record.appId, record.command, record.reason, record.receivedAt, record.body],
  );
  return result.rowCount === 1;
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
