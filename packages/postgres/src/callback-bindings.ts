import { bindingPruneIntervalMs, type CallbackBinding } from "@friendhook/core";
import type { ClientBase } from "pg";
import type { TableNames } from "./table-names";

/**
 * Binds each key to the first fingerprint given for it, unless a binding in force holds it already
 * (an expired one is replaced), and returns, per binding, whether it fits the one in force: an
 * append whose binding does not is refused. The bound fingerprints are read in a statement of their
 * own, whose snapshot includes what other transactions committed while this one waited.
 */
export async function bindCallbacks(client: ClientBase, tables: TableNames, bindings: readonly (CallbackBinding | undefined)[], now: number): Promise<boolean[]> {
  const given = bindings.filter((binding): binding is CallbackBinding => binding !== undefined);
  if (given.length === 0) return bindings.map(() => true);
  const keys = given.map((binding) => binding.key);
  await client.query(
    `INSERT INTO ${tables.callbackBindings} AS stored (key, fingerprint, expires_at)
     SELECT DISTINCT ON (key) key, fingerprint, expires_at
     FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS binding(key, fingerprint, expires_at, position)
     ORDER BY key, position
     ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at
       WHERE stored.expires_at < $4`,
    [keys, given.map((binding) => binding.fingerprint), given.map((binding) => binding.expiresAt), now],
  );
  const bound = await client.query<{ key: string; fingerprint: string }>(
    `SELECT key, fingerprint FROM ${tables.callbackBindings} WHERE key = ANY($1::text[])`,
    [keys],
  );
  const fingerprints = new Map(bound.rows.map((row) => [row.key, row.fingerprint]));
  return bindings.map((binding) => binding === undefined || fingerprints.get(binding.key) === binding.fingerprint);
}

/**
 * Deletes expired bindings, at most once per `bindingPruneIntervalMs` in this process: they no
 * longer bind anything, so this only keeps the table small. The expiry index makes it cheap.
 */
export function createBindingPruner(tables: TableNames): (client: ClientBase, now: number) => Promise<void> {
  let prunedAt = 0;
  return async (client, now) => {
    if (now - prunedAt < bindingPruneIntervalMs) return;
    prunedAt = now;
    await client.query(`DELETE FROM ${tables.callbackBindings} WHERE expires_at < $1`, [now]);
  };
}
