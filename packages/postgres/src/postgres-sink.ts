import { type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import { type FriendList, type FriendsOfInput, relationChangesOf } from "@friendhook/core";
import { insertEventRows } from "./event-rows";
import { applyRelationChangesInDatabase, queryFriendsOf } from "./friend-table";
import { openPostgres } from "./postgres-connection";
import type { PostgresSinkOptions } from "./postgres-options";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

export interface PostgresSink extends FriendEventSink {
  readonly name: "postgres";
  readonly idempotent: true;
  /** The quoted, schema-qualified table names, for queries of your own. */
  readonly tables: TableNames;
  /** Applies pending migrations now; delivery does it on first use unless `migrate: false`. */
  migrate(): Promise<number[]>;
  /** Whom `userId` counts as a friend and whom they block, each sorted. */
  friendsOf(input: FriendsOfInput): Promise<FriendList>;
  /** Ends the pool the sink opened; leaves a pool passed in `pool` open. */
  close(): Promise<void>;
}

/** SQLSTATE class 22 (data exception): something in the batch cannot be stored, so a retry cannot help. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code.startsWith("22");
}

/**
 * The batch is stored in one transaction, so the server does not say which event it refused. A
 * data exception is permanent only for a batch of one event; for more, the receiver delivers the
 * events apart and so finds the one that cannot be stored.
 */
function deliveryError(error: unknown, events: number): SinkError {
  const reason = error instanceof Error ? error.message : String(error);
  const dataException = isDataException(error);
  if (dataException && events > 1) {
    return new SinkError(`PostgreSQL sink could not store the batch: one of its ${events} events cannot be stored: ${reason}`, { cause: error });
  }
  return new SinkError(`PostgreSQL sink could not store the ${events === 1 ? "event" : "batch"}: ${reason}`, { cause: error, permanent: dataException });
}

/**
 * Stores events in `<prefix>events`, one row per id (`ON CONFLICT DO NOTHING`), and keeps the friend
 * table `<prefix>friend_edges` in the same transaction: a batch is stored whole or not at all.
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const database = openPostgres(options, "PostgreSQL sink");
  const { pool, tables } = database;

  async function storeBatch(events: readonly FriendEvent[]): Promise<void> {
    await database.ready();
    if (events.length === 0) return;
    await inTransaction(pool, async (client) => {
      await insertEventRows(client, tables, events);
      // Every event's changes, stored before or not: applying a change again leaves its register as it is.
      await applyRelationChangesInDatabase(client, tables, events.flatMap(relationChangesOf));
    });
  }

  return {
    name: "postgres",
    idempotent: true,
    tables,
    async deliver(events) {
      try {
        await storeBatch(events);
      } catch (error) {
        throw deliveryError(error, events.length);
      }
    },
    migrate: database.migrate,
    async friendsOf(input) {
      await database.ready();
      return queryFriendsOf(pool, tables, input);
    },
    close: database.end,
  };
}
