import { type DeliveryContext, deliveryOrderKey, type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import { type FriendList, type FriendsOfInput, relationChangesOf } from "@friendhook/core";
import type { ClientBase } from "pg";
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
 * Deliveries that touch one pair take turns until they commit (a transaction-level advisory lock per
 * pair, taken in one order), so that each reads the registers the one before it wrote, and the
 * events of a pair are stored in the order their changes are applied.
 */
async function lockPairs(client: ClientBase, tables: TableNames, events: readonly FriendEvent[]): Promise<void> {
  const pairs = [...new Set(events.map((event) => `friendhook:pair:${tables.schema}.${tables.tablePrefix}:${deliveryOrderKey(event)}`))];
  await client.query(
    `SELECT pg_advisory_xact_lock(locks.lock)
     FROM (SELECT DISTINCT hashtextextended(pair, 0) AS lock FROM unnest($1::text[]) AS pair ORDER BY 1) AS locks`,
    [pairs],
  );
}

/** The batch's positions in arrival order: by store sequence when the receiver gave them, else as given. */
function arrivalOrder(events: readonly FriendEvent[], sequences: readonly number[] | undefined): number[] {
  const positions = events.map((_, position) => position);
  if (sequences === undefined) return positions;
  return positions.sort((left, right) => (sequences[left] ?? 0) - (sequences[right] ?? 0) || left - right);
}

/**
 * Stores events in `<prefix>events`, one row per id (`ON CONFLICT DO NOTHING`), and keeps the friend
 * table `<prefix>friend_relations` in the same transaction: a batch is stored whole or not at all. The
 * friend table follows the store's arrival order when the receiver gives it (`DeliveryContext`), and
 * the sink's own otherwise.
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const database = openPostgres(options, "PostgreSQL sink");
  const { pool, tables } = database;

  async function storeBatch(given: readonly FriendEvent[], context: DeliveryContext | undefined): Promise<void> {
    await database.ready();
    if (given.length === 0) return;
    if (context !== undefined && context.sequences.length !== given.length) {
      throw new Error(`The delivery context has ${context.sequences.length} sequences for ${given.length} events.`);
    }
    const order = arrivalOrder(given, context?.sequences);
    const events = order.map((position) => given[position] as FriendEvent);
    const sequences = context === undefined ? undefined : order.map((position) => context.sequences[position] as number);
    await inTransaction(pool, async (client) => {
      await lockPairs(client, tables, events);
      const stored = await insertEventRows(client, tables, events, { storeSequences: sequences });
      // The changes of new events only: an event stored before had its changes applied then.
      const changes = events.flatMap((event, index) =>
        stored[index] ? relationChangesOf(event).map((change) => ({ change, sequence: sequences?.[index] })) : [],
      );
      await applyRelationChangesInDatabase(
        client,
        tables,
        changes.map((arriving) => arriving.change),
        changes.map((arriving) => arriving.sequence),
      );
    });
  }

  return {
    name: "postgres",
    idempotent: true,
    tables,
    async deliver(events, context) {
      try {
        await storeBatch(events, context);
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
