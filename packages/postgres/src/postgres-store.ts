import { type AppendInput, type AppendResult, checkBackfillInput, checkStorableText, type FriendEventStore, parseSequenceCursor, resolvePageLimit, type SinkDeliveryStatistics } from "@friendhook/core";
import { FriendhookError } from "@friendhook/core";
import { commitAppendBatch } from "./append-batch";
import { beginBackfill, continueBackfill } from "./backfills";
import { createBindingPruner } from "./callback-bindings";
import { selectCallback, selectUnrecognizedCallbacks } from "./callbacks";
import { insertDecisions, selectDecisions } from "./decisions";
import {
  claimDeliveries,
  completeDeliveries,
  countDeliveries,
  failDelivery,
  replayDeadLetters,
  selectDeadLetters,
} from "./deliveries";
import { selectEvents } from "./event-rows";
import { createStoredCounter, inspectionQueries, selectActivity, selectDeliveryStatistics, selectLatestEvents, selectUserEvents } from "./inspection";
import { queryFriendsOf } from "./friend-table";
import { createGroupCommit } from "./group-commit";
import { openPostgres } from "./postgres-connection";
import { measureStore, pruneStore } from "./prune";
import type { PostgresStoreOptions } from "./postgres-options";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

export interface PostgresStoreStatistics {
  /** `append` calls so far. */
  readonly appends: number;
  /** Transactions those appends were committed in; fewer than `appends` when group commit batched them. */
  readonly appendTransactions: number;
}

export interface PostgresFriendEventStore extends FriendEventStore {
  /** The quoted, schema-qualified table names, for queries of your own. */
  readonly tables: TableNames;
  /** Applies pending migrations now; the store does it on first use unless `migrate: false`. */
  migrate(): Promise<number[]>;
  /** How this process's appends were grouped into transactions. */
  statistics(): PostgresStoreStatistics;
}

/**
 * What one transaction holds at most: 256 appends, and about 1,000 events (a batch written again
 * append by append, after a failure, costs a few round trips per event). More wait for the next
 * transaction; a larger callback goes alone.
 */
const appendLimits = {
  maximumOperations: 256,
  maximumWeight: 1000,
  weightOf: (input: AppendInput) => input.events.length + 1,
};

function nextCursor(rows: ReadonlyArray<{ sequence: number }>): string | undefined {
  const last = rows.at(-1);
  return last === undefined ? undefined : String(last.sequence);
}

/** Delivery ids are the row numbers the store handed out; anything else is refused as bad input. */
function deliveryNumber(deliveryId: string): bigint {
  return BigInt(parseSequenceCursor(deliveryId));
}

/**
 * The durable store on PostgreSQL, for receivers that run as several processes on one database:
 * events are deduplicated by id across all of them, delivery work is claimed with
 * `FOR UPDATE SKIP LOCKED`, dead letters are shared, and deliveries of one pair stay in order.
 * Appends are batched by group commit: those that arrive while a transaction is written share the next.
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresFriendEventStore {
  const database = openPostgres(options, "PostgreSQL store");
  const { pool, tables } = database;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  /** Runs `work` once the schema is ready, and lets `close` wait for it. */
  const run = <Result>(work: () => Promise<Result>): Promise<Result> => {
    // A stable code, so that a receiver answers 503 (the provider retries) and a read API can tell
    // "closed" from a bug.
    if (closed) return Promise.reject(new FriendhookError("store_unavailable", "The PostgreSQL store is closed."));
    const running = database.ready().then(work);
    const tracked = running.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(tracked);
    void tracked.then(() => inFlight.delete(tracked));
    return running;
  };

  // Appends join the group commit only once the schema is ready (`run`), and `close` waits for them.
  const pruneBindings = createBindingPruner(tables);
  const countStored = createStoredCounter(tables);
  const queries = inspectionQueries(tables);
  const appends = createGroupCommit<AppendInput, AppendResult>(
    (inputs) => commitAppendBatch(pool, tables, inputs, { now: Date.now(), pruneBindings, countStored }),
    appendLimits,
  );

  return {
    tables,
    migrate: database.migrate,

    statistics() {
      const counts = appends.counts();
      return { appends: counts.submissions, appendTransactions: counts.transactions };
    },

    append(input) {
      // Text PostgreSQL cannot hold is refused here, before it joins (and fails) a transaction.
      const unstorable = checkStorableText(input);
      return unstorable ? Promise.reject(unstorable) : run(() => appends.submit(input));
    },

    listEvents: (page = {}) =>
      run(async () => {
        const rows = await selectEvents(pool, tables, parseSequenceCursor(page.after), resolvePageLimit(page.limit));
        return { events: rows.map((row) => row.event), next: nextCursor(rows) };
      }),

    claimDeliveries: (input) => run(() => inTransaction(pool, (client) => claimDeliveries(client, tables, input))),

    completeDeliveries: ({ deliveryIds }) =>
      run(() => completeDeliveries(pool, tables, deliveryIds.map(deliveryNumber), Date.now())),

    failDeliveries: ({ failures, now }) =>
      run(() =>
        inTransaction(pool, async (client) => {
          for (const failure of failures) await failDelivery(client, tables, deliveryNumber(failure.deliveryId), failure, now);
        }),
      ),

    listDeadLetters: (page = {}) =>
      run(async () => {
        const deadLetters = await selectDeadLetters(pool, tables, page.sink, parseSequenceCursor(page.after), resolvePageLimit(page.limit));
        return { deadLetters, next: deadLetters.at(-1)?.deliveryId };
      }),

    beginBackfill: (input) => {
      try {
        checkBackfillInput(input);
      } catch (error) {
        return Promise.reject(error);
      }
      return run(() => inTransaction(pool, (client) => beginBackfill(client, tables, input)));
    },

    continueBackfill: (input) => run(() => inTransaction(pool, (client) => continueBackfill(client, tables, input))),

    replayDeadLetters: ({ sink, deliveryIds, now }) =>
      run(() => replayDeadLetters(pool, tables, sink, deliveryIds?.map(deliveryNumber), now)),

    countDeliveries: () => run(() => countDeliveries(pool, tables)),

    listUnrecognized: (page = {}) =>
      run(async () => {
        const rows = await selectUnrecognizedCallbacks(pool, tables, parseSequenceCursor(page.after), resolvePageLimit(page.limit));
        return { callbacks: rows.map((row) => row.callback), next: nextCursor(rows) };
      }),

    readCallback: (input) => run(() => selectCallback(pool, tables, input)),

    friendsOf: (input) => run(() => queryFriendsOf(pool, tables, input)),

    recordDecisions: (decisions) => run(() => insertDecisions(pool, tables, decisions)),

    listDecisions: (page = {}) =>
      run(() => selectDecisions(pool, tables, { ...page, after: parseSequenceCursor(page.after), limit: resolvePageLimit(page.limit) })),

    prune: (input) => run(() => pruneStore(pool, tables, input)),

    measure: () => run(() => measureStore(pool, tables)),
    listUserEvents: (input) =>
      run(() =>
        selectUserEvents(pool, queries, {
          provider: input.provider,
          appId: input.appId,
          userId: input.userId,
          after: parseSequenceCursor(input.after),
          limit: resolvePageLimit(input.limit),
        }),
      ),

    listLatestEvents: (input = {}) => run(() => selectLatestEvents(pool, queries, resolvePageLimit(input.limit))),

    // One snapshot for every sink's figures (REPEATABLE READ), so that they add up.
    deliveryStatistics: ({ sinks }) =>
      run(() =>
        inTransaction(pool, async (client) => {
          await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
          const statistics: SinkDeliveryStatistics[] = [];
          for (const sink of sinks) statistics.push(await selectDeliveryStatistics(client, queries, sink));
          return statistics;
        }),
      ),

    activity: ({ since }) => run(() => selectActivity(pool, queries, since, Date.now())),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(inFlight);
      await database.end();
    },
  };
}
