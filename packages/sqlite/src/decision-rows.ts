import type { DecisionPageOptions, RecordedDecision } from "@friendhook/core";
import type Database from "better-sqlite3";

interface DecisionRow {
  sequence: number;
  decision: string;
}

interface DecisionFilter {
  provider: string | null;
  appId: string | null;
  user: string | null;
  after: number;
  limit: number;
}

/**
 * Recorded decisions (schema version 6): the whole decision as JSON, beside the columns that
 * filter, page and prune it. `decided_at` is epoch milliseconds, so that pruning compares numbers.
 */
export function decisionStatements(database: Database.Database) {
  const insert = database.prepare<[string, string, string, string, string, number, string]>(
    `INSERT INTO decisions (id, provider, app_id, actor, target, decided_at, decision) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const list = database.prepare<DecisionFilter, DecisionRow>(
    `SELECT sequence, decision FROM decisions
     WHERE sequence > @after AND (@provider IS NULL OR provider = @provider) AND (@appId IS NULL OR app_id = @appId)
       AND (@user IS NULL OR actor = @user OR target = @user)
     ORDER BY sequence LIMIT @limit`,
  );
  const prune = database.prepare<{ before: number; limit: number }>(
    `DELETE FROM decisions WHERE sequence IN (
       SELECT sequence FROM decisions WHERE decided_at < @before ORDER BY decided_at LIMIT @limit)`,
  );
  return {
    record(decisions: readonly RecordedDecision[]): void {
      for (const decision of decisions) {
        const { id, provider, appId, actor, target, decidedAt } = decision;
        insert.run(id, provider, appId, actor, target, Date.parse(decidedAt), JSON.stringify(decision));
      }
    },
    list(options: Omit<DecisionPageOptions, "after" | "limit"> & { after: number; limit: number }): { decisions: RecordedDecision[]; next: string | undefined } {
      const rows = list.all({
        provider: options.provider ?? null,
        appId: options.appId ?? null,
        user: options.user ?? null,
        after: options.after,
        limit: options.limit,
      });
      const last = rows.at(-1);
      return { decisions: rows.map((row) => JSON.parse(row.decision) as RecordedDecision), next: last === undefined ? undefined : String(last.sequence) };
    },
    prune(before: number, limit: number): number {
      return prune.run({ before, limit }).changes;
    },
  };
}
