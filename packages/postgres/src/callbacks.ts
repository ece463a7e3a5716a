import type { ReadCallbackInput, StoredCallback } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import { storedPositions } from "./stored-positions";
import type { TableNames } from "./table-names";

/** Where a callback of the batch is stored: its row number, and whether this batch stored it. */
export interface CallbackPlace {
  readonly sequence: string;
  readonly inserted: boolean;
}

/**
 * Stores many callbacks in one statement, in the order given, each once per id; returns, per
 * callback, its row number (stored now or before) and whether it was new. The rows stored before
 * come from the statement's snapshot, which the appends' lock keeps current; one missing from it
 * (written by another transaction meanwhile) is read again.
 */
export async function insertCallbacks(client: ClientBase, tables: TableNames, callbacks: readonly StoredCallback[]): Promise<CallbackPlace[]> {
  if (callbacks.length === 0) return [];
  const column = (read: (callback: StoredCallback) => string | null) => callbacks.map(read);
  const ids = callbacks.map((callback) => callback.id);
  const result = await client.query<{ id: string; sequence: string; inserted: boolean }>(
    `WITH incoming AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
         AS callback(id, provider, app_id, command, received_at, body, unrecognized_reason, position)
     ), inserted AS (
       INSERT INTO ${tables.callbacks} (id, provider, app_id, command, received_at, body, unrecognized_reason)
       SELECT id, provider, app_id, command, received_at, body, unrecognized_reason FROM incoming ORDER BY position
       ON CONFLICT (id) DO NOTHING
       RETURNING id, sequence
     )
     SELECT id, sequence, true AS inserted FROM inserted
     UNION ALL
     SELECT id, sequence, false AS inserted FROM ${tables.callbacks} WHERE id = ANY($1::text[])`,
    [
      ids,
      column((callback) => callback.provider),
      column((callback) => callback.appId),
      column((callback) => callback.command),
      column((callback) => callback.receivedAt),
      column((callback) => callback.body),
      column((callback) => callback.unrecognizedReason ?? null),
    ],
  );
  const sequences = new Map(result.rows.map((row) => [row.id, row.sequence]));
  const missing = ids.filter((id) => !sequences.has(id));
  if (missing.length > 0) {
    const again = await client.query<{ id: string; sequence: string }>(`SELECT id, sequence FROM ${tables.callbacks} WHERE id = ANY($1::text[])`, [missing]);
    for (const row of again.rows) sequences.set(row.id, row.sequence);
  }
  const inserted = storedPositions(
    ids,
    result.rows.filter((row) => row.inserted).map((row) => row.id),
  );
  return ids.map((id, position) => {
    const sequence = sequences.get(id);
    if (sequence === undefined) throw new Error(`The callback ${id} was neither stored nor found.`);
    return { sequence, inserted: inserted[position] ?? false };
  });
}

interface CallbackRow {
  sequence: string;
  id: string;
  provider: string;
  app_id: string;
  command: string;
  received_at: string;
  body: string;
  unrecognized_reason: string | null;
}

const callbackColumnNames = ["sequence", "id", "provider", "app_id", "command", "received_at", "body", "unrecognized_reason"];
const callbackColumns = callbackColumnNames.join(", ");

function toStoredCallback(row: CallbackRow): StoredCallback {
  const callback = { id: row.id, provider: row.provider, appId: row.app_id, command: row.command, receivedAt: row.received_at, body: row.body };
  return row.unrecognized_reason === null ? callback : { ...callback, unrecognizedReason: row.unrecognized_reason };
}

/** Stored callbacks with an unrecognized reason after `afterSequence`, in stored order. */
export async function selectUnrecognizedCallbacks(
  client: ClientBase | Pool,
  tables: TableNames,
  afterSequence: number,
  limit: number,
): Promise<Array<{ sequence: number; callback: StoredCallback }>> {
  const result = await client.query<CallbackRow>(
    `SELECT ${callbackColumns} FROM ${tables.callbacks}
     WHERE unrecognized_reason IS NOT NULL AND sequence > $1 ORDER BY sequence LIMIT $2`,
    [afterSequence, limit],
  );
  return result.rows.map((row) => ({ sequence: Number(row.sequence), callback: toStoredCallback(row) }));
}

/** A stored callback by its id, or the one an event links to. */
export async function selectCallback(client: ClientBase | Pool, tables: TableNames, input: ReadCallbackInput): Promise<StoredCallback | undefined> {
  const result =
    "callbackId" in input
      ? await client.query<CallbackRow>(`SELECT ${callbackColumns} FROM ${tables.callbacks} WHERE id = $1`, [input.callbackId])
      : await client.query<CallbackRow>(
          `SELECT ${callbackColumnNames.map((name) => `callback.${name}`).join(", ")} FROM ${tables.events} AS event
           JOIN ${tables.callbacks} AS callback ON callback.sequence = event.callback_sequence WHERE event.id = $1`,
          [input.eventId],
        );
  const [row] = result.rows;
  return row && toStoredCallback(row);
}
