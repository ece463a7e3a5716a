import {
  type AppendInput,
  type AppendResult,
  type FriendEventStore,
  parseSequenceCursor,
  relationChangesOf,
  resolvePageLimit,
} from "@friendhook/receiver";
import { FriendhookError } from "@friendhook/core";
import type { PoolClient } from "pg";
import {
  claimDeliveries,
  completeDeliveries,
  countDeliveries,
  enqueueDeliveries,
  failDelivery,
  replayDeadLetters,
  selectDeadLetters,
} from "./deliveries";
import { insertEvents, selectEvents } from "./event-rows";
import { applyRelationChangeInDatabase, queryFriendsOf } from "./friend-table";
import { openPostgres } from "./postgres-connection";
import type { PostgresStoreOptions } from "./postgres-options";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";
import { insertUnrecognizedCallback, selectUnrecognizedCallbacks } from "./unrecognized-callbacks";

export interface PostgresFriendEventStore extends FriendEventStore {
  /** The quoted, schema-qualified table names, for queries of your own. */
  readonly tables: TableNames;
  /** Applies pending migrations now; the store does it on first use unless `migrate: false`. */
  migrate(): Promise<number[]>;
}

function nextCursor(rows: ReadonlyArray<{ sequence: number }>): string | undefined {
  const last = rows.at(-1);
  return last === undefined ? undefined : String(last.sequence);
}

/** Delivery ids are the row numbers the store handed out; anything else is refused as bad input. */
function deliveryNumber(deliveryId: string): bigint {
  return BigInt(parseSequenceCursor(deliveryId));
}

/**
 * Appends of one schema and prefix take turns, holding this lock until they commit: sequences then
 * become visible in the order they were given, so a reader paging by sequence never skips an event
 * that commits late, and overlapping appends cannot deadlock on each other's event ids.
 */
async function lockAppends(client: PoolClient, tables: TableNames): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`friendhook:append:${tables.schema}.${tables.tablePrefix}`]);
}

/**
 * The durable store on PostgreSQL, for receivers that run as several processes on one database:
 * events are deduplicated by id across all of them, delivery work is claimed with
 * `FOR UPDATE SKIP LOCKED`, dead letters are shared, and deliveries of one pair stay in order.
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

  const append = (input: AppendInput): Promise<AppendResult> =>
    inTransaction(pool, async (client) => {
      await lockAppends(client, tables);
      const inserted = await insertEvents(client, tables, input.events);
      await enqueueDeliveries(client, tables, inserted, input.sinks);
      for (const event of inserted) {
        for (const change of relationChangesOf(event)) await applyRelationChangeInDatabase(client, tables, change);
      }
      const unrecognizedInserted = input.unrecognized ? await insertUnrecognizedCallback(client, tables, input.unrecognized) : false;
      return { inserted: inserted.length, duplicates: input.events.length - inserted.length, unrecognizedInserted };
    });

  return {
    tables,
    migrate: database.migrate,

    append: (input) => run(() => append(input)),

    listEvents: (page = {}) =>
      run(async () => {
        const rows = await selectEvents(pool, tables, parseSequenceCursor(page.after), resolvePageLimit(page.limit));
        return { events: rows.map((row) => row.event), next: nextCursor(rows) };
      }),

    claimDeliveries: (input) => run(() => inTransaction(pool, (client) => claimDeliveries(client, tables, input))),

    completeDeliveries: ({ deliveryIds }) =>
      run(() => completeDeliveries(pool, tables, deliveryIds.map(deliveryNumber))),

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

    replayDeadLetters: ({ sink, deliveryIds, now }) =>
      run(() => replayDeadLetters(pool, tables, sink, deliveryIds?.map(deliveryNumber), now)),

    countDeliveries: () => run(() => countDeliveries(pool, tables)),

    listUnrecognized: (page = {}) =>
      run(async () => {
        const rows = await selectUnrecognizedCallbacks(pool, tables, parseSequenceCursor(page.after), resolvePageLimit(page.limit));
        return { callbacks: rows.map((row) => row.record), next: nextCursor(rows) };
      }),

    friendsOf: (input) => run(() => queryFriendsOf(pool, tables, input)),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(inFlight);
      await database.end();
    },
  };
}
