import { type AppendInput, type AppendResult, FriendhookError } from "@friendhook/core";
import type { ClientBase, Pool, PoolClient } from "pg";
import { appendAllAtOnce } from "./append-all-at-once";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

/** What a batch needs besides its appends: the time that tells expired bindings, and their pruner. */
export interface AppendBatchContext {
  /** Epoch milliseconds. */
  readonly now: number;
  readonly pruneBindings: (client: ClientBase, now: number) => Promise<void>;
  /** Counts the events the batch stored, in its transaction (see `createStoredCounter`). */
  readonly countStored: (client: ClientBase, stored: number, now: number) => Promise<void>;
}

/**
 * Appends of one schema and prefix take turns, holding this lock until they commit: sequences then
 * become visible in the order they were given, so a reader paging by sequence never skips an event
 * that commits late, and overlapping appends cannot deadlock on each other's event ids.
 */
export async function lockAppends(client: PoolClient, tables: TableNames): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`friendhook:append:${tables.schema}.${tables.tablePrefix}`]);
}

/**
 * One append in a savepoint of the batch's transaction, so that one that fails rolls back alone.
 * The savepoint is not released: COMMIT keeps every savepoint not rolled back, and the next append's
 * savepoint of the same name nests inside, so ROLLBACK TO always returns to the current append's
 * start, and an append costs one round trip of bookkeeping rather than two. When even the rollback
 * fails (the connection is gone), the error ends the whole transaction.
 */
async function appendInSavepoint(client: PoolClient, tables: TableNames, input: AppendInput, now: number): Promise<PromiseSettledResult<AppendResult>> {
  await client.query("SAVEPOINT append");
  try {
    const [result] = settled(await appendAllAtOnce(client, tables, [input], now));
    return result as PromiseSettledResult<AppendResult>;
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT append");
    return { status: "rejected", reason: refusalOf(error) };
  }
}

/** Each append's outcome: its result, or the refusal of its binding (nothing of it was written). */
function settled(results: ReadonlyArray<AppendResult | FriendhookError>): Array<PromiseSettledResult<AppendResult>> {
  return results.map((result) => (result instanceof FriendhookError ? { status: "rejected", reason: result } : { status: "fulfilled", value: result }));
}

/**
 * An append that PostgreSQL refuses as data (SQLSTATE class 22: a date it cannot represent, say)
 * can never be stored, so it is the input's fault: `invalid_payload`, which a receiver answers with
 * a 4xx rather than a 503 the provider would retry for ever. The database's own words stay in
 * `cause`; the message keeps only their first line.
 */
function refusalOf(error: unknown): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("22")) return error;
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 200);
  return new FriendhookError("invalid_payload", `PostgreSQL cannot store this append (${reason}).`, { cause: error });
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
  now: number,
): Promise<Array<PromiseSettledResult<AppendResult>>> {
  await client.query("SAVEPOINT batch");
  try {
    return settled(await appendAllAtOnce(client, tables, inputs, now));
  } catch {
    await client.query("ROLLBACK TO SAVEPOINT batch");
  }
  const results: Array<PromiseSettledResult<AppendResult>> = [];
  for (const input of inputs) results.push(await appendInSavepoint(client, tables, input, now));
  return results;
}

/**
 * Writes a batch of appends in one transaction, in the order given: one that comes later sees the
 * rows of those before it, so an event appended twice in one batch is a duplicate the second time.
 */
export async function commitAppendBatch(
  pool: Pool,
  tables: TableNames,
  inputs: readonly AppendInput[],
  context: AppendBatchContext,
): Promise<Array<PromiseSettledResult<AppendResult>>> {
  const { now } = context;
  try {
    return await inTransaction(pool, async (client) => {
      await lockAppends(client, tables);
      if (inputs.some((input) => input.binding)) await context.pruneBindings(client, now);
      // A lone append needs no savepoint: its failure is the transaction's, rolled back and rejected whole.
      const results =
        inputs.length === 1 ? settled(await appendAllAtOnce(client, tables, inputs, now)) : await appendBatchWithFallback(client, tables, inputs, now);
      const stored = results.reduce((total, result) => total + (result.status === "fulfilled" ? result.value.inserted : 0), 0);
      await context.countStored(client, stored, now);
      return results;
    });
  } catch (error) {
    if (inputs.length === 1) return [{ status: "rejected", reason: refusalOf(error) }];
    throw error;
  }
}
