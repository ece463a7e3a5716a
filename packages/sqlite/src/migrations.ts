import { deriveCallbackId } from "@friendhook/core";
import type Database from "better-sqlite3";

/** SQL to run, or, where SQL alone cannot do it, a function given the database. */
export type Migration = string | ((database: Database.Database) => void);

interface RawBodyRow {
  sequence: number;
  provider: string;
  app_id: string;
  command: string;
  received_at: string;
  body: string;
}

/**
 * Events written before callbacks were kept once per callback may carry the body in `raw` (an
 * adapter's former `includeRaw`): each distinct body becomes a stored callback, the events link to
 * it, and `raw` leaves the events. Nothing is lost, and the body is kept once.
 */
function moveRawBodiesToCallbacks(database: Database.Database): void {
  // A page at a time: a statement being iterated would keep the connection from writing.
  const selectPage = database.prepare<[number], RawBodyRow>(
    `SELECT sequence, provider, app_id, event ->> '$.source.command' AS command, event ->> '$.receivedAt' AS received_at,
       event -> '$.raw' AS body
     FROM events WHERE sequence > ? AND event -> '$.raw' IS NOT NULL ORDER BY sequence LIMIT 1000`,
  );
  const insertCallback = database.prepare(
    `INSERT INTO callbacks (id, provider, app_id, command, received_at, body) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const callbackSequence = database.prepare<[string], { sequence: number }>("SELECT sequence FROM callbacks WHERE id = ?");
  const linkEvent = database.prepare("UPDATE events SET event = json_remove(event, '$.raw'), callback_sequence = ? WHERE sequence = ?");
  for (let rows = selectPage.all(0); rows.length > 0; rows = selectPage.all(rows.at(-1)?.sequence ?? 0)) {
    for (const row of rows) {
      const id = deriveCallbackId({ provider: row.provider, appId: row.app_id, command: row.command, body: row.body });
      insertCallback.run(id, row.provider, row.app_id, row.command, row.received_at, row.body);
      linkEvent.run(callbackSequence.get(id)?.sequence, row.sequence);
    }
  }
}

/**
 * Version 3. The unrecognized callbacks become stored callbacks with a reason, under the same
 * sequence numbers, so that cursors handed out stay valid.
 */
const callbacksSchema = `
  CREATE TABLE callbacks (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    command TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    unrecognized_reason TEXT
  );
  INSERT INTO callbacks (sequence, id, provider, app_id, command, received_at, body, unrecognized_reason)
    SELECT sequence, id, provider, app_id, command, received_at, body, reason FROM unrecognized_callbacks ORDER BY sequence;
  DROP TABLE unrecognized_callbacks;
  CREATE INDEX callbacks_unrecognized ON callbacks (sequence) WHERE unrecognized_reason IS NOT NULL;

  ALTER TABLE events ADD COLUMN callback_sequence INTEGER REFERENCES callbacks (sequence);

  CREATE TABLE callback_bindings (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX callback_bindings_by_expiry ON callback_bindings (expires_at);
`;

/**
 * The schema, one migration per version. `PRAGMA user_version` records the version a database
 * file is at; a migration runs once, in its own transaction. Never edit a released migration:
 * add the next one.
 */
export const migrations: readonly Migration[] = [
  // Version 1.
  `
  CREATE TABLE events (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    event TEXT NOT NULL
  );

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sink TEXT NOT NULL,
    event_sequence INTEGER NOT NULL REFERENCES events (sequence),
    order_key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL DEFAULT 0,
    leased_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    dead_lettered_at INTEGER
  );
  CREATE INDEX deliveries_by_sink ON deliveries (sink, state, id);
  CREATE INDEX deliveries_by_order_key ON deliveries (sink, order_key, state, id);

  CREATE TABLE unrecognized_callbacks (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    command TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL
  );

  CREATE TABLE friend_relations (
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('friend', 'blocked')),
    other TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (0, 1)),
    version_occurred_at INTEGER NOT NULL,
    version_event_id TEXT NOT NULL,
    PRIMARY KEY (provider, app_id, owner, relation, other)
  ) WITHOUT ROWID;
  `,
  // Version 2: the friend table's ordering rule (ordering windows, arrival order). A register keeps
  // the change that set it (`event_id`, `occurred_at`) and `not_before`, the greatest start of the
  // windows of the changes applied. Existing registers keep their values; `not_before` is their
  // change's time, bounded by its receive time plus the skew (5,000 ms), minus the skew.
  `
  ALTER TABLE friend_relations RENAME COLUMN version_occurred_at TO occurred_at;
  ALTER TABLE friend_relations RENAME COLUMN version_event_id TO event_id;
  ALTER TABLE friend_relations ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
  UPDATE friend_relations SET not_before = min(
    occurred_at,
    coalesce(
      (SELECT CAST(round((julianday(json_extract(events.event, '$.receivedAt')) - 2440587.5) * 86400000) AS INTEGER)
       FROM events WHERE events.id = friend_relations.event_id),
      occurred_at
    ) + 5000
  ) - 5000;
  `,
  // Version 3: every callback kept once, events linked to the callback that stored them, and the
  // signature bindings.
  (database) => {
    database.exec(callbacksSchema);
    moveRawBodiesToCallbacks(database);
  },
  // Version 4: retention. Indexes that let pruning find the oldest rows, and whether a row is still
  // needed, without a scan; the file itself is switched to incremental vacuum right after
  // (`useIncrementalVacuum`), since VACUUM cannot run inside a migration's transaction.
  `
  ALTER TABLE events ADD COLUMN received_at TEXT GENERATED ALWAYS AS (json_extract(event, '$.receivedAt')) VIRTUAL;
  CREATE INDEX events_by_received_at ON events (received_at);
  CREATE INDEX events_by_callback ON events (callback_sequence) WHERE callback_sequence IS NOT NULL;
  CREATE INDEX deliveries_by_event ON deliveries (event_sequence);
  CREATE INDEX deliveries_dead_by_time ON deliveries (dead_lettered_at) WHERE state = 'dead';
  CREATE INDEX callbacks_by_received_at ON callbacks (received_at);
  CREATE INDEX friend_relations_tombstones ON friend_relations (not_before) WHERE value = 0;
  `,
  // Version 5: what an operator's view reads without scanning every row. A user's events by actor
  // and by target (filled in from the stored JSON), the failed deliveries of each sink (a partial
  // index: deliveries that never failed are not in it), and counts per second of events stored and
  // deliveries completed (kept for the last hour).
  `
  ALTER TABLE events ADD COLUMN actor TEXT;
  ALTER TABLE events ADD COLUMN target TEXT;
  UPDATE events SET actor = event ->> '$.actor', target = event ->> '$.target';
  CREATE INDEX events_by_actor ON events (provider, app_id, actor, sequence);
  CREATE INDEX events_by_target ON events (provider, app_id, target, sequence);

  CREATE INDEX deliveries_failed ON deliveries (sink, state, attempts) WHERE attempts > 0;

  CREATE TABLE stored_per_second (
    second INTEGER PRIMARY KEY,
    events INTEGER NOT NULL
  );
  CREATE TABLE delivered_per_second (
    second INTEGER NOT NULL,
    sink TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    PRIMARY KEY (second, sink)
  ) WITHOUT ROWID;
  `,
  // Version 6: the application's decisions about pending friend requests, with what filters them
  // (an app, a user as actor or target) and what prunes them (their age) indexed.
  `
  CREATE TABLE decisions (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    app_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    target TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    decision TEXT NOT NULL
  );
  CREATE INDEX decisions_by_decided_at ON decisions (decided_at);
  CREATE INDEX decisions_by_actor ON decisions (actor, sequence);
  CREATE INDEX decisions_by_target ON decisions (target, sequence);
  `,
  // Version 7: backfills. Deliveries are claimed in their events' order (a backfill enqueues old
  // events after newer ones), so the claim and its per-pair check read indexes by event sequence,
  // in place of the two by delivery id (which served nothing else): an append writes as many
  // index entries as before. Each backfill's range and progress is a row, so that a restart
  // resumes it and a sink's claims wait while one is unfinished.
  `
  DROP INDEX deliveries_by_sink;
  CREATE INDEX deliveries_in_event_order ON deliveries (sink, state, event_sequence);
  DROP INDEX deliveries_by_order_key;
  CREATE INDEX deliveries_by_order_key_in_event_order ON deliveries (sink, order_key, state, event_sequence);

  CREATE TABLE backfills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sink TEXT NOT NULL,
    name TEXT NOT NULL,
    from_sequence INTEGER NOT NULL,
    to_sequence INTEGER NOT NULL,
    next_sequence INTEGER,
    enqueued INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sink, name)
  );
  CREATE INDEX backfills_unfinished ON backfills (sink, id) WHERE next_sequence IS NOT NULL;
  `,
  // Version 8: the claim's per-pair check needs only the deliveries that can hold a pair back, those
  // leased or waiting for a retry. A new delivery is neither (both times 0), so an append no longer
  // writes an entry keyed by its pair, which lands on a page of its own once the index is large:
  // the index now holds what is in flight, a few pages whatever the store holds.
  `
  DROP INDEX deliveries_by_order_key_in_event_order;
  CREATE INDEX deliveries_held_by_order_key ON deliveries (sink, order_key, event_sequence)
    WHERE state = 'pending' AND (available_at > 0 OR leased_until > 0);
  `,
  // Version 9: the index of events by user leaves the store's file for one of its own, written
  // after the appends by a thread (`user-events-index.ts`): each of its two entries per event
  // landed on a page of its own once the index was large, and the append's cost grew with the
  // store. The store's file gets an id, so that an index file is never read beside another store.
  `
  DROP INDEX events_by_actor;
  DROP INDEX events_by_target;
  CREATE TABLE store_identity (id TEXT NOT NULL);
  INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))));
  `,
];

export const schemaVersion = migrations.length;

/** SQLite's `auto_vacuum` setting that lets `PRAGMA incremental_vacuum` hand freed pages back. */
const incrementalAutoVacuum = 2;

/**
 * Makes the file give pages freed by pruning back to the file system (`PRAGMA incremental_vacuum`).
 * A new file takes the setting before its first table; a file created without it is rebuilt once
 * by VACUUM, which needs no transaction open and, for a while, room for a second copy of the file.
 */
function useIncrementalVacuum(database: Database.Database): void {
  if (database.pragma("auto_vacuum", { simple: true }) === incrementalAutoVacuum) return;
  database.pragma("auto_vacuum = INCREMENTAL");
  if (database.pragma("auto_vacuum", { simple: true }) !== incrementalAutoVacuum) database.exec("VACUUM");
}

/** Brings the database to `schemaVersion`; refuses a file written by a newer version of this package. */
export function migrate(database: Database.Database): void {
  const current = database.pragma("user_version", { simple: true }) as number;
  if (current > schemaVersion) {
    throw new Error(
      `The database is at schema version ${current}, newer than this @friendhook/sqlite knows (${schemaVersion}); upgrade the package.`,
    );
  }
  useIncrementalVacuum(database);
  for (let version = current + 1; version <= schemaVersion; version += 1) {
    database.transaction(() => {
      const migration = migrations[version - 1] ?? "";
      if (typeof migration === "string") database.exec(migration);
      else migration(database);
      database.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
