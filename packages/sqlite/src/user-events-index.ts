import { rmSync } from "node:fs";
import Database from "better-sqlite3";

/**
 * The index of events by user, in a file of its own beside the store's (`<filename>-user-events`).
 *
 * An index keyed by user in the store's own file put each event's actor and target entries on
 * leaf pages of their own once it was larger than a callback: every append dirtied two more
 * pages per event, and the append's cost grew with what the store held (BENCHMARKS.md, "What is
 * left"). This file is written by a thread of its own (`startUserEventsIndexThread`), after the
 * appends and in batches sorted by user, so that many entries share a page and the event loop
 * never waits for it. The store's file stays the only truth: the index is derived from it, is
 * rebuilt when it does not match it, and a query reads the events it has not indexed yet from the
 * store itself.
 */
export function userEventsIndexFilename(storeFilename: string): string {
  return `${storeFilename}-user-events`;
}

/** Bumped when the index file's tables change: a file of another version is rebuilt, never migrated. */
const indexFormat = 1;

const indexSchema = `
  CREATE TABLE user_events (
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    PRIMARY KEY (provider, app_id, user_id, sequence)
  ) WITHOUT ROWID;
  CREATE INDEX user_events_by_sequence ON user_events (sequence);
  CREATE TABLE progress (
    store_id TEXT NOT NULL,
    indexed_through INTEGER NOT NULL
  );
`;

interface StoreIdentity {
  /** The store file's own id (`store_identity`), made once with its schema. */
  readonly storeId: string;
  /** The greatest event sequence the store has ever handed out. */
  readonly lastSequence: number;
}

/** The store file's identity, read on its connection. */
export function readStoreIdentity(store: Database.Database): StoreIdentity {
  const identity = store.prepare<[], { id: string }>("SELECT id FROM store_identity").get();
  const sequence = store.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get();
  return { storeId: identity?.id ?? "", lastSequence: sequence?.seq ?? 0 };
}

function indexMatches(index: Database.Database, identity: StoreIdentity): boolean {
  if (index.pragma("user_version", { simple: true }) !== indexFormat) return false;
  const progress = index.prepare<[], { store_id: string; indexed_through: number }>("SELECT store_id, indexed_through FROM progress").get();
  // Another store's index, or one ahead of this file (a copy restored from before it): rebuilt.
  return progress !== undefined && progress.store_id === identity.storeId && progress.indexed_through <= identity.lastSequence;
}

/**
 * Makes the index file match the store: kept as it is when it was built from this store, made
 * anew (empty, to be filled by the thread) when it is missing, of another format, unreadable, or
 * from another store or a later state of this one.
 */
export function prepareUserEventsIndex(storeFilename: string, identity: StoreIdentity): void {
  const filename = userEventsIndexFilename(storeFilename);
  try {
    const index = new Database(filename, { fileMustExist: true });
    try {
      if (indexMatches(index, identity)) return;
    } finally {
      index.close();
    }
  } catch {
    // Missing or unreadable: made anew below.
  }
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true });
  const index = new Database(filename);
  try {
    index.pragma("journal_mode = WAL");
    index.transaction(() => {
      index.exec(indexSchema);
      index.prepare("INSERT INTO progress (store_id, indexed_through) VALUES (?, 0)").run(identity.storeId);
      index.pragma(`user_version = ${indexFormat}`);
    })();
  } finally {
    index.close();
  }
}

interface UserEventsQuery {
  readonly provider: string;
  readonly appId: string;
  readonly userId: string;
  readonly after: number;
  readonly limit: number;
}

interface UserEventRow {
  readonly sequence: number;
  readonly event: string;
}

export interface UserEventsReader {
  /** A user's events as actor or target after the cursor, in sequence order. */
  read(query: UserEventsQuery): UserEventRow[];
  close(): void;
}

/**
 * The queries of a user's events, on a connection of their own that reads the store's file with
 * the index file attached and never writes either (a writing connection with the index attached
 * would take its lock too, and wait on the thread). Both read in one read transaction: the events
 * up to the index's progress come from the index, those after it from the store's own rows.
 */
export function openUserEventsReader(storeFilename: string, busyTimeoutMs: number): UserEventsReader {
  const reader = new Database(storeFilename, { fileMustExist: true });
  reader.pragma(`busy_timeout = ${busyTimeoutMs}`);
  reader.prepare("ATTACH DATABASE ? AS user_index").run(userEventsIndexFilename(storeFilename));
  const progress = reader.prepare<[], { indexed_through: number }>("SELECT indexed_through FROM user_index.progress");
  // The join checks the event against the entry, so that an entry can never show another user's
  // event; entries past the progress are left to the second query, so that none is listed twice.
  const indexed = reader.prepare<UserEventsQuery & { indexedThrough: number }, UserEventRow>(userEventsQueries.indexed);
  const notYetIndexed = reader.prepare<UserEventsQuery, UserEventRow>(userEventsQueries.notYetIndexed);
  const read = reader.transaction((query: UserEventsQuery): UserEventRow[] => {
    const indexedThrough = progress.get()?.indexed_through ?? 0;
    const rows = indexed.all({ ...query, indexedThrough });
    if (rows.length >= query.limit) return rows;
    const after = Math.max(query.after, indexedThrough);
    return [...rows, ...notYetIndexed.all({ ...query, after, limit: query.limit - rows.length })];
  });
  return {
    read: (query) => read(query),
    close: () => reader.close(),
  };
}

/** The reader's queries, checked by `test/inspection-queries.test.ts` to read index ranges only. */
export const userEventsQueries = {
  indexed: `SELECT e.sequence, e.event FROM user_index.user_events u JOIN events e ON e.sequence = u.sequence
    WHERE u.provider = @provider AND u.app_id = @appId AND u.user_id = @userId AND u.sequence > @after AND u.sequence <= @indexedThrough
      AND e.provider = u.provider AND e.app_id = u.app_id AND (e.actor = u.user_id OR e.target = u.user_id)
    ORDER BY u.sequence LIMIT @limit`,
  notYetIndexed: `SELECT sequence, event FROM events
    WHERE sequence > @after AND provider = @provider AND app_id = @appId AND (actor = @userId OR target = @userId)
    ORDER BY sequence LIMIT @limit`,
} as const;
