import { type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import pg from "pg";
import { friendEdgeChangesOf } from "./friend-edge-changes";
import { applyFriendEdgeChange, type FriendList, type FriendsOfQuery, queryFriendsOf } from "./friend-table";
import { insertEvents } from "./event-rows";
import { runMigrations } from "./migrate";
import { parseOptions } from "./parse-options";
import { type PostgresSinkOptions, PostgresSinkOptionsSchema } from "./postgres-sink-options";
import { type TableNames, tableNames } from "./table-names";
import { inTransaction } from "./transaction";

export interface PostgresSink extends FriendEventSink {
  readonly name: "postgres";
  readonly idempotent: true;
  /** The quoted, schema-qualified table names, for queries of your own. */
  readonly tables: TableNames;
  /** Applies pending migrations now; delivery does it on first use unless `migrate: false`. */
  migrate(): Promise<number[]>;
  /** Whom `userId` counts as a friend and whom they block, each sorted. */
  friendsOf(query: FriendsOfQuery): Promise<FriendList>;
  /** Ends the pool the sink opened; leaves a pool passed in `pool` open. */
  close(): Promise<void>;
}

/** SQLSTATE class 22 (data exception): the batch itself cannot be stored, so a retry cannot help. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code.startsWith("22");
}

function deliveryError(error: unknown): SinkError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SinkError(`PostgreSQL sink could not store the batch: ${reason}`, {
    cause: error,
    permanent: isDataException(error),
  });
}

/**
 * Stores events in `<prefix>events`, one row per id (`ON CONFLICT DO NOTHING`), and keeps the friend
 * table `<prefix>friend_edges` in the same transaction: a batch is stored whole or not at all.
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const parsed = parseOptions(PostgresSinkOptionsSchema, options, "PostgreSQL sink");
  const names = tableNames(parsed.schema, parsed.tablePrefix);
  const ownsPool = parsed.pool === undefined;
  const pool =
    parsed.pool ??
    new pg.Pool({
      connectionString: parsed.connectionString,
      connectionTimeoutMillis: parsed.connectionTimeoutMs,
      application_name: parsed.applicationName,
      max: parsed.maxConnections,
    });
  // A connection the server drops emits `error` on the pool, and may emit a late one (ECONNRESET)
  // on its client after the pool has let it go; without listeners either would end the process.
  // A query on a dropped connection rejects, so the delivery reports the failure instead.
  if (ownsPool) {
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
  }

  let migrated: Promise<unknown> | undefined;
  const ready = (): Promise<unknown> => {
    if (!parsed.migrate) return Promise.resolve();
    migrated ??= runMigrations(pool, names).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  };

  async function storeBatch(events: readonly FriendEvent[]): Promise<void> {
    await ready();
    if (events.length === 0) return;
    await inTransaction(pool, async (client) => {
      await insertEvents(client, names, events);
      for (const event of events) {
        for (const change of friendEdgeChangesOf(event)) await applyFriendEdgeChange(client, names, change);
      }
    });
  }

  return {
    name: "postgres",
    idempotent: true,
    tables: names,
    async deliver(events) {
      try {
        await storeBatch(events);
      } catch (error) {
        throw deliveryError(error);
      }
    },
    migrate() {
      return runMigrations(pool, names);
    },
    async friendsOf(query) {
      await ready();
      return queryFriendsOf(pool, names, query);
    },
    async close() {
      if (ownsPool) await pool.end();
    },
  };
}
