import type { AppendInput, AppendResult } from "@friendhook/core";
import type { Pool, PoolClient } from "pg";
import { appendAllAtOnce } from "./append-all-at-once";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

/**
 * Appends of one schema and prefix take turns, holding this lock until they commit: sequences then
 * become visible in the order they were given, so a reader paging by sequence never skips an event
 * that commits late, and overlapping appends cannot deadlock on each other's event ids.
 */
async function lockAppends(client: PoolClient, tables: TableNames): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`friendhook:append:${tables.schema}.${tables.tablePrefix}`]);
}

/**
 * One append in a savepoint of the batch's transaction, so that one that fails rolls back alone.
 * The savepoint is not released: COMMIT keeps every savepoint not rolled back, and the next append's
 * savepoint of the same name nests inside, so ROLLBACK TO always returns to the current append's
 * start, and an append costs one round trip of bookkeeping rather than two. When even the rollback
 * fails (the connection is gone), the error ends the whole transaction.
 */
async function appendInSavepoint(client: PoolClient, tables: TableNames, input: AppendInput): Promise<PromiseSettledResult<AppendResult>> {
  await client.query("SAVEPOINT append");
  try {
    const [result] = await appendAllAtOnce(client, tables, [input]);
    return { status: "fulfilled", value: result as AppendResult };
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT append");
    return { status: "rejected", reason: error };
  }
}

function fulfilled(results: readonly AppendResult[]): Array<PromiseFulfilledResult<AppendResult>> {
  return results.map((value) => ({ status: "fulfilled", value }));
}

/**
 * The batch in a few statements for all its appends, under one savepoint. When one of them fails,
 * some append is bad (a NUL PostgreSQL refuses, say): the batch rolls back to that savepoint and is
 * written again append by append, so that the bad one fails alone.
 */
async function appendBatchWithFallback(
  client: PoolClient,
  tables: TableNames,
  inputs: readonly AppendInput[],
): Promise<Array<PromiseSettledResult<AppendResult>>> {
  await client.query("SAVEPOINT batch");
  try {
    return fulfilled(await appendAllAtOnce(client, tables, inputs));
  } catch {
    await client.query("ROLLBACK TO SAVEPOINT batch");
  }
  const results: Array<PromiseSettledResult<AppendResult>> = [];
  for (const input of inputs) results.push(await appendInSavepoint(client, tables, input));
  return results;
}

/**
 * Writes a batch of appends in one transaction, in the order given: one that comes later sees the
 * rows of those before it, so an event appended twice in one batch is a duplicate the second time.
 */
export function commitAppendBatch(
  pool: Pool,
  tables: TableNames,
  inputs: readonly AppendInput[],
): Promise<Array<PromiseSettledResult<AppendResult>>> {
  return inTransaction(pool, async (client) => {
    await lockAppends(client, tables);
    // A lone append needs no savepoint: its failure is the transaction's, rolled back and rejected whole.
    if (inputs.length === 1) return fulfilled(await appendAllAtOnce(client, tables, inputs));
    return appendBatchWithFallback(client, tables, inputs);
  });
}
