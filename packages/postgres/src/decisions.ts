import type { DecisionPage, DecisionPageOptions, RecordedDecision } from "@friendhook/core";
import type { Pool } from "pg";
import type { TableNames } from "./table-names";

/** Stores decisions once per id, in one statement: durable when it resolves. */
export async function insertDecisions(pool: Pool, tables: TableNames, decisions: readonly RecordedDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  // Stored in the order given: the identity column numbers the rows as the SELECT yields them.
  await pool.query(
    `INSERT INTO ${tables.decisions} (id, provider, app_id, actor, target, decided_at, decision)
     SELECT decision->>'id', decision->>'provider', decision->>'appId', decision->>'actor', decision->>'target',
       (decision->>'decidedAt')::timestamptz, decision
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS given (decision, position)
     ORDER BY position
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(decisions)],
  );
}

/** Recorded decisions after `after`, in recorded order, optionally of one provider, app or user. */
export async function selectDecisions(
  pool: Pool,
  tables: TableNames,
  options: Omit<DecisionPageOptions, "after" | "limit"> & { readonly after: number; readonly limit: number },
): Promise<DecisionPage> {
  const result = await pool.query<{ sequence: string; decision: RecordedDecision }>(
    `SELECT sequence, decision FROM ${tables.decisions}
     WHERE sequence > $1 AND ($2::text IS NULL OR provider = $2) AND ($3::text IS NULL OR app_id = $3)
       AND ($4::text IS NULL OR actor = $4 OR target = $4)
     ORDER BY sequence LIMIT $5`,
    [options.after, options.provider ?? null, options.appId ?? null, options.user ?? null, options.limit],
  );
  const last = result.rows.at(-1);
  return { decisions: result.rows.map((row) => row.decision), next: last === undefined ? undefined : String(last.sequence) };
}
