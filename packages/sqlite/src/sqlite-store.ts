import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type FriendEvent, FriendhookError, parseOptions } from "@friendhook/core";
import {
  activityPruneIntervalMs,
  activitySecond,
  firstActivitySecond,
  oldestActivitySecond,
  type SecondCount,
  type SinkDeliveryStatistics,
  toSecondCounts,
  type AppendInput,
  type AppendResult,
  applyRelationChange,
  bindingPruneIntervalMs,
  type CallbackBinding,
  checkStorableText,
  type Backfill,
  beginBackfillRange,
  checkBackfillInput,
  type ContinueBackfillInput,
  type BackfillProgress,
  type BeginBackfillInput,
  nextBackfillSequence,
  resolveBackfillLimit,
  type DeadLetter,
  type Delivery,
  deliveryOrderKey,
  type FriendEventStore,
  type FriendRelation,
  isBindingInForce,
  type PruneInput,
  type PruneResult,
  parseSequenceCursor,
  type RelationChange,
  relationChangesOf,
  resolvePageLimit,
  signatureReusedError,
  sortUserIds,
  type StoredCallback,
} from "@friendhook/core";
import Database from "better-sqlite3";
import { decisionStatements } from "./decision-rows";
import { createGroupCommit } from "./group-commit";
import { type BackfillEventRow, type BackfillRow, deliveryQueries } from "./delivery-queries";
import { inspectionQueries } from "./inspection-queries";
import { migrate } from "./migrations";
import { type SqliteStoreOptions, SqliteStoreOptionsSchema } from "./sqlite-store-options";
import { createWalSync, syncDirectoryOf } from "./wal-sync";
import { type CheckpointMode, type CheckpointThread, startCheckpointThread } from "./checkpoint-thread";
import { openUserEventsReader, prepareUserEventsIndex, readStoreIdentity, userEventsIndexFilename } from "./user-events-index";
import { startUserEventsIndexThread, type UserEventsIndexThread } from "./user-events-index-thread";

export interface SqliteStoreStatistics {
  /** `append` calls so far. */
  readonly appends: number;
  /** Transactions those appends were written in; fewer than `appends` when group commit batched them. */
  readonly appendTransactions: number;
}

export interface SqliteDurabilitySettings {
  /** `wal`. */
  readonly journalMode: string;
  /** `normal`: a commit does not wait for the disk itself; the store flushes the WAL after it. */
  readonly synchronous: string;
  /** `true`: every write resolves only once the WAL file holding it is flushed to the disk (off the event loop). */
  readonly walFlushed: boolean;
}

export interface SqliteFriendEventStore extends FriendEventStore {
  /** The database file. */
  readonly filename: string;
  statistics(): SqliteStoreStatistics;
  /** The settings in force on the store's connection, read from SQLite itself. */
  durabilitySettings(): SqliteDurabilitySettings;
}

const synchronousNames = ["off", "normal", "full", "extra"];

/** How often the WAL is copied back into the database file, outside every append's commit. */
const checkpointIntervalMs = 1000;
/** How often the index of events by user is brought up to what the store holds, off the event loop. */
const userEventsIndexIntervalMs = 250;
/** SQLite's own checkpoint, in a commit, only past about 16 MB of WAL (4 KiB pages). */
const walAutocheckpointPages = 4000;
/** Every this many checkpoints, one that also truncates the WAL file to nothing (when no reader is in it). */
const truncatingCheckpointEvery = 30;
/**
 * Freed pages are handed back to the file system once they exceed this share of the file, down to
 * half of it: pages freed by pruning are reused by later appends, so handing back every one would
 * only make the file shrink and grow again.
 */
const freePagesShareToVacuum = 0.1;

interface DeliveryRow {
  id: number;
  sink: string;
  attempts: number;
  event: string;
  last_error: string;
  dead_lettered_at: number | null;
}

interface CallbackRow {
  sequence: number;
  id: string;
  provider: string;
  app_id: string;
  command: string;
  received_at: string;
  body: string;
  unrecognized_reason: string | null;
}

interface RegisterRow {
  value: number;
  event_id: string;
  occurred_at: number;
  not_before: number;
}

// A stable code, so that a receiver answers 503 and the provider sends the callback again.
function flushFailedError(): FriendhookError {
  return new FriendhookError(
    "store_unavailable",
    "The SQLite store could not flush its file to the disk; it refuses every call until it is opened again.",
  );
}

function nextCursor(rows: ReadonlyArray<{ sequence: number } | { id: number }>): string | undefined {
  const last = rows.at(-1);
  if (last === undefined) return undefined;
  return String("sequence" in last ? last.sequence : last.id);
}

function toDeadLetter(row: DeliveryRow): DeadLetter {
  return {
    deliveryId: String(row.id),
    sink: row.sink,
    event: JSON.parse(row.event) as FriendEvent,
    attempts: row.attempts,
    lastError: row.last_error,
    deadLetteredAt: new Date(row.dead_lettered_at ?? 0).toISOString(),
  };
}

function toBackfill(row: BackfillRow): Backfill {
  return {
    sink: row.sink,
    name: row.name,
    fromSequence: row.from_sequence,
    toSequence: row.to_sequence,
    nextSequence: row.next_sequence ?? undefined,
    enqueued: row.enqueued,
  };
}

function toStoredCallback(row: CallbackRow): StoredCallback {
  const callback = {
    id: row.id,
    provider: row.provider,
    appId: row.app_id,
    command: row.command,
    receivedAt: row.received_at,
    body: row.body,
  };
  return row.unrecognized_reason === null ? callback : { ...callback, unrecognizedReason: row.unrecognized_reason };
}

/** Opens the database file with the settings that make an acknowledged callback survive a crash. */
function openDatabase(filename: string, busyTimeoutMs: number): Database.Database {
  const database = new Database(filename);
  database.pragma("journal_mode = WAL");
  // Migrations commit with the flush inside the commit.
  database.pragma("synchronous = FULL");
  database.pragma("foreign_keys = ON");
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Checkpoints run on a timer of their own (below), not inside the commit that crosses 1,000
  // pages; this larger bound only keeps the WAL from growing without end if that timer is starved.
  database.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
  migrate(database);
  // From here on a commit returns without waiting for the disk, and each write waits instead for
  // the store's flush of the WAL (`createWalSync`) before it resolves: an acknowledgement still
  // means durable, and the event loop serves requests while the disk works. A checkpoint still
  // flushes the WAL before copying it into the database file, and that file after.
  database.pragma("synchronous = NORMAL");
  syncDirectoryOf(filename);
  return database;
}

function inspectionStatements(database: Database.Database) {
  const queries = inspectionQueries;
  return {
    latestEvents: database.prepare<[number], { sequence: number; event: string }>(queries.latestEvents),
    deliveriesByState: database.prepare<[string], { state: "pending" | "dead"; count: number }>(queries.deliveriesByState),
    failedDeliveries: database.prepare<[string], { state: "pending" | "dead"; count: number; attempts: number }>(queries.failedDeliveries),
    oldestPending: database.prepare<[string], { received_at: string }>(queries.oldestPending),
    countStored: database.prepare<[number, number]>(queries.countStored),
    countDelivered: database.prepare<[number, string, number]>(queries.countDelivered),
    storedSince: database.prepare<[number], { second: number; count: number }>(queries.storedSince),
    deliveredSince: database.prepare<[number], { second: number; sink: string; count: number }>(queries.deliveredSince),
    pruneStored: database.prepare<[number]>(queries.pruneStored),
    pruneDelivered: database.prepare<[number]>(queries.pruneDelivered),
  };
}

function prepareStatements(database: Database.Database) {
  return {
    insertEvent: database.prepare(
      `INSERT INTO events (id, provider, app_id, type, occurred_at, event, callback_sequence, actor, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    insertDelivery: database.prepare(
      "INSERT INTO deliveries (sink, event_sequence, order_key, state) VALUES (?, ?, ?, 'pending')",
    ),
    insertCallback: database.prepare<[string, string, string, string, string, string, string | null]>(
      `INSERT INTO callbacks (id, provider, app_id, command, received_at, body, unrecognized_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    callbackSequence: database.prepare<[string], { sequence: number }>("SELECT sequence FROM callbacks WHERE id = ?"),
    readBinding: database.prepare<[string], { fingerprint: string; expires_at: number }>(
      "SELECT fingerprint, expires_at FROM callback_bindings WHERE key = ?",
    ),
    writeBinding: database.prepare(
      `INSERT INTO callback_bindings (key, fingerprint, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at`,
    ),
    pruneBindings: database.prepare("DELETE FROM callback_bindings WHERE expires_at < ?"),
    readRegister: database.prepare<[string, string, string, string, string], RegisterRow>(
      `SELECT value, event_id, occurred_at, not_before FROM friend_relations
       WHERE provider = ? AND app_id = ? AND owner = ? AND relation = ? AND other = ?`,
    ),
    writeRegister: database.prepare(
      `INSERT INTO friend_relations (provider, app_id, owner, relation, other, value, event_id, occurred_at, not_before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, app_id, owner, relation, other) DO UPDATE SET
         value = excluded.value, event_id = excluded.event_id, occurred_at = excluded.occurred_at, not_before = excluded.not_before`,
    ),
    listEvents: database.prepare<[number, number], { sequence: number; event: string }>(
      "SELECT sequence, event FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
    ),
    selectClaimable: database.prepare<{ sink: string; now: number; limit: number }, { id: number; event_sequence: number; attempts: number; event: string }>(
      deliveryQueries.selectClaimable,
    ),
    storedRange: database.prepare<[], { first: number | null; last: number | null }>(deliveryQueries.storedRange),
    readBackfill: database.prepare<[string, string], BackfillRow>(deliveryQueries.readBackfill),
    insertBackfill: database.prepare<[string, string, number, number, number | null]>(deliveryQueries.insertBackfill),
    unfinishedBackfill: database.prepare<[string], BackfillRow>(deliveryQueries.unfinishedBackfill),
    backfillBatch: database.prepare<{ sink: string; from: number; to: number; limit: number }, BackfillEventRow>(deliveryQueries.backfillBatch),
    recordBackfillProgress: database.prepare<[number | null, number, number]>(deliveryQueries.recordBackfillProgress),
    // Set-based, one statement per batch: the ids come as one JSON array.
    lease: database.prepare<[number, string]>("UPDATE deliveries SET leased_until = ? WHERE id IN (SELECT value FROM json_each(?))"),
    // The sink of each completed delivery, for the count of deliveries completed per second.
    complete: database.prepare<[string], { sink: string }>(
      "DELETE FROM deliveries WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?)) RETURNING sink",
    ),
    retry: database.prepare(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = ?, available_at = ?, leased_until = 0
       WHERE id = ? AND state = 'pending'`,
    ),
    deadLetter: database.prepare(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = ?, state = 'dead', dead_lettered_at = ?, leased_until = 0
       WHERE id = ? AND state = 'pending'`,
    ),
    listDeadLetters: database.prepare<{ sink: string | null; after: number; limit: number }, DeliveryRow>(
      `SELECT d.id, d.sink, d.attempts, d.last_error, d.dead_lettered_at, e.event
       FROM deliveries d JOIN events e ON e.sequence = d.event_sequence
       WHERE d.state = 'dead' AND (@sink IS NULL OR d.sink = @sink) AND d.id > @after
       ORDER BY d.id LIMIT @limit`,
    ),
    replayAll: database.prepare(
      `UPDATE deliveries SET state = 'pending', attempts = 0, available_at = @now, leased_until = 0, dead_lettered_at = NULL
       WHERE state = 'dead' AND (@sink IS NULL OR sink = @sink)`,
    ),
    replayOne: database.prepare(
      `UPDATE deliveries SET state = 'pending', attempts = 0, available_at = @now, leased_until = 0, dead_lettered_at = NULL
       WHERE state = 'dead' AND (@sink IS NULL OR sink = @sink) AND id = @id`,
    ),
    countDeliveries: database.prepare<[], { sink: string; pending: number; dead_lettered: number }>(
      `SELECT sink, SUM(state = 'pending') AS pending, SUM(state = 'dead') AS dead_lettered
       FROM deliveries GROUP BY sink ORDER BY sink`,
    ),
    listUnrecognized: database.prepare<[number, number], CallbackRow>(
      "SELECT * FROM callbacks WHERE unrecognized_reason IS NOT NULL AND sequence > ? ORDER BY sequence LIMIT ?",
    ),
    readCallback: database.prepare<[string], CallbackRow>("SELECT * FROM callbacks WHERE id = ?"),
    readCallbackOfEvent: database.prepare<[string], CallbackRow>(
      "SELECT callbacks.* FROM events JOIN callbacks ON callbacks.sequence = events.callback_sequence WHERE events.id = ?",
    ),
    // Pruning: each picks the oldest rows by an index and deletes at most @limit of them.
    pruneDeadLetters: database.prepare<{ before: number; limit: number }>(
      `DELETE FROM deliveries WHERE id IN (
         SELECT id FROM deliveries WHERE state = 'dead' AND dead_lettered_at < @before ORDER BY dead_lettered_at LIMIT @limit)`,
    ),
    pruneEvents: database.prepare<{ before: string; limit: number }>(
      `DELETE FROM events WHERE sequence IN (
         SELECT sequence FROM events WHERE received_at < @before
           AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.event_sequence = events.sequence)
         ORDER BY received_at LIMIT @limit)`,
    ),
    pruneCallbacks: database.prepare<{ before: string; limit: number }>(
      `DELETE FROM callbacks WHERE sequence IN (
         SELECT sequence FROM callbacks WHERE received_at < @before
           AND NOT EXISTS (SELECT 1 FROM events WHERE events.callback_sequence = callbacks.sequence)
         ORDER BY received_at LIMIT @limit)`,
    ),
    pruneTombstones: database.prepare<{ before: number; limit: number }>(
      `DELETE FROM friend_relations WHERE (provider, app_id, owner, relation, other) IN (
         SELECT provider, app_id, owner, relation, other FROM friend_relations
         WHERE value = 0 AND not_before < @before ORDER BY not_before LIMIT @limit)`,
    ),
    countEvents: database.prepare<[], { count: number }>("SELECT count(*) AS count FROM events"),
    friendsOf: database.prepare<[string, string, string], { other: string; relation: FriendRelation }>(
      "SELECT other, relation FROM friend_relations WHERE provider = ? AND app_id = ? AND owner = ? AND value = 1",
    ),
    ...inspectionStatements(database),
  };
}

/**
 * The embedded durable store: one SQLite file in WAL mode, appends batched by group commit and
 * each batch's WAL flushed to the disk before its writes resolve, the schema kept by versioned
 * migrations. The friend table is updated in the append's transaction. One process writes a file
 * at a time.
 */
export function createSqliteStore(input: SqliteStoreOptions): SqliteFriendEventStore {
  const options = parseOptions(SqliteStoreOptionsSchema, input, "SQLite store");
  mkdirSync(options.directory, { recursive: true });
  const filename = join(options.directory, options.filename);
  const database = openDatabase(filename, options.busyTimeoutMs);
  prepareUserEventsIndex(filename, readStoreIdentity(database));
  const userEvents = openUserEventsReader(filename, options.busyTimeoutMs);
  const walSync = createWalSync(`${filename}-wal`);
  const statements = prepareStatements(database);
  const decisions = decisionStatements(database);
  let closed = false;
  // Set when a flush failed: what was committed since the last good one may not be on the disk,
  // and the operating system may report the lost pages only once. The store then refuses every
  // call; reopening it reads the file as the disk has it.
  let flushFailure: unknown;

  /** Resolves once everything committed so far is on the disk. */
  async function durable(): Promise<void> {
    try {
      await walSync.afterCommit();
    } catch (error) {
      flushFailure ??= error;
      throw flushFailedError();
    }
  }

  function applyToFriendTable(change: RelationChange) {
    const key = [change.provider, change.appId, change.owner, change.relation, change.other] as const;
    const row = statements.readRegister.get(...key);
    const current = row && { value: row.value === 1, eventId: row.event_id, occurredAt: row.occurred_at, notBefore: row.not_before };
    const next = applyRelationChange(current, change);
    if (next) statements.writeRegister.run(...key, next.value ? 1 : 0, next.eventId, next.occurredAt, next.notBefore);
  }

  let bindingsPrunedAt = 0;

  /** Binds the key to the fingerprint unless a binding in force holds it; throws when that one differs. */
  function bind(binding: CallbackBinding, now: number) {
    const stored = statements.readBinding.get(binding.key);
    if (stored && isBindingInForce({ expiresAt: stored.expires_at }, now)) {
      if (stored.fingerprint !== binding.fingerprint) throw signatureReusedError();
      return;
    }
    statements.writeBinding.run(binding.key, binding.fingerprint, binding.expiresAt);
    if (now - bindingsPrunedAt < bindingPruneIntervalMs) return;
    bindingsPrunedAt = now;
    statements.pruneBindings.run(now);
  }

  /** The callback's row number, stored now or before. */
  function storeCallback(callback: StoredCallback): { sequence: number | bigint | undefined; inserted: boolean } {
    const { id, provider, appId, command, receivedAt, body, unrecognizedReason } = callback;
    const result = statements.insertCallback.run(id, provider, appId, command, receivedAt, body, unrecognizedReason ?? null);
    if (result.changes > 0) return { sequence: result.lastInsertRowid, inserted: true };
    return { sequence: statements.callbackSequence.get(id)?.sequence, inserted: false };
  }

  function appendOne(append: AppendInput): AppendResult {
    // First: a refused binding throws before anything is written (and the savepoint is rolled back).
    if (append.binding) bind(append.binding, Date.now());
    const callback = append.callback ? storeCallback(append.callback) : { sequence: undefined, inserted: false };
    let inserted = 0;
    for (const event of append.events) {
      const result = statements.insertEvent.run(
        event.id,
        event.provider,
        event.appId,
        event.type,
        event.occurredAt,
        JSON.stringify(event),
        callback.sequence ?? null,
        event.actor,
        event.target,
      );
      if (result.changes === 0) continue;
      inserted += 1;
      for (const sink of append.sinks) statements.insertDelivery.run(sink, result.lastInsertRowid, deliveryOrderKey(event));
      for (const change of relationChangesOf(event)) applyToFriendTable(change);
    }
    if (inserted > 0) statements.countStored.run(activitySecond(Date.now()), inserted);
    pruneActivity(Date.now());
    return { inserted, duplicates: append.events.length - inserted, callbackInserted: callback.inserted };
  }

  /** Counted once at open, then kept by appends and pruning: this process is the file's only writer. */
  let storedEvents = statements.countEvents.get()?.count ?? 0;

  function pruneOnce({ eventsReceivedBefore, deadLettersBefore, callbacksReceivedBefore, tombstonesBefore, decisionsBefore, batchSize }: PruneInput): PruneResult {
    const limit = batchSize;
    const deadLetters = statements.pruneDeadLetters.run({ before: deadLettersBefore, limit }).changes;
    const events = statements.pruneEvents.run({ before: new Date(eventsReceivedBefore).toISOString(), limit }).changes;
    const callbacks = statements.pruneCallbacks.run({ before: new Date(callbacksReceivedBefore).toISOString(), limit }).changes;
    const tombstones = statements.pruneTombstones.run({ before: tombstonesBefore, limit }).changes;
    const prunedDecisions = decisionsBefore === undefined ? 0 : decisions.prune(decisionsBefore, limit);
    return { events, deadLetters, callbacks, tombstones, decisions: prunedDecisions };
  }

  /** Hands pages freed by pruning back to the file system once they are a sizeable share of the file. */
  function vacuumFreePages() {
    const pages = database.pragma("page_count", { simple: true }) as number;
    const free = database.pragma("freelist_count", { simple: true }) as number;
    if (free <= pages * freePagesShareToVacuum) return;
    database.pragma(`incremental_vacuum(${Math.ceil(free - (pages * freePagesShareToVacuum) / 2)})`);
  }

  let activityPrunedAt = 0;
  function pruneActivity(now: number) {
    if (now - activityPrunedAt < activityPruneIntervalMs) return;
    activityPrunedAt = now;
    statements.pruneStored.run(oldestActivitySecond(now));
    statements.pruneDelivered.run(oldestActivitySecond(now));
  }

  function statisticsOf(sink: string): SinkDeliveryStatistics {
    const counts = { pending: 0, dead: 0 };
    for (const row of statements.deliveriesByState.all(sink)) counts[row.state] = row.count;
    const failed = { pending: { count: 0, attempts: 0 }, dead: { count: 0, attempts: 0 } };
    for (const row of statements.failedDeliveries.all(sink)) failed[row.state] = row;
    return {
      sink,
      pending: counts.pending,
      retrying: failed.pending.count,
      deadLettered: counts.dead,
      failedAttempts: failed.pending.attempts + failed.dead.attempts,
      oldestPendingReceivedAt: statements.oldestPending.get(sink)?.received_at,
    };
  }

  // Each operation runs in a savepoint of the batch's transaction: one that fails rolls back alone.
  const inSavepoint = database.transaction((operation: () => unknown) => operation());
  const commitBatch = database.transaction((operations: ReadonlyArray<() => unknown>) =>
    operations.map((operation) => {
      try {
        return inSavepoint(operation);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  // The delivery bookkeeping (claim, complete, fail) joins the appends' transactions instead of
  // committing (and fsyncing) on its own: each still resolves only once its writes are committed.
  const groupCommit = createGroupCommit<"append" | "delivery" | "prune" | "decision">((operations) => commitBatch.immediate(operations), durable);

  function claim(sink: string, limit: number, leaseMs: number, now: number): Delivery[] {
    const rows = statements.selectClaimable.all({ sink, now, limit });
    if (rows.length > 0) statements.lease.run(now + leaseMs, JSON.stringify(rows.map((row) => row.id)));
    return rows.map((row) => ({
      deliveryId: String(row.id),
      sink,
      event: JSON.parse(row.event) as FriendEvent,
      sequence: row.event_sequence,
      attempts: row.attempts,
    }));
  }

  function beginBackfill(input: BeginBackfillInput): Backfill {
    const known = statements.readBackfill.get(input.sink, input.name);
    if (known) return toBackfill(known);
    const stored = statements.storedRange.get();
    const range = beginBackfillRange(input, { first: stored?.first ?? undefined, last: stored?.last ?? undefined });
    statements.insertBackfill.run(input.sink, input.name, range.fromSequence, range.toSequence, range.nextSequence ?? null);
    return { sink: input.sink, name: input.name, ...range, enqueued: 0 };
  }

  function continueBackfill({ sink, limit }: ContinueBackfillInput): BackfillProgress {
    const backfill = statements.unfinishedBackfill.get(sink);
    if (!backfill || backfill.next_sequence === null) return { enqueued: 0, finished: true };
    const batchLimit = resolveBackfillLimit(limit);
    const rows = statements.backfillBatch.all({ sink, from: backfill.next_sequence, to: backfill.to_sequence, limit: batchLimit });
    let enqueued = 0;
    for (const row of rows) {
      if (row.has_delivery) continue;
      statements.insertDelivery.run(sink, row.sequence, deliveryOrderKey({ provider: row.provider, appId: row.app_id, actor: row.actor, target: row.target }));
      enqueued += 1;
    }
    const next = nextBackfillSequence({ toSequence: backfill.to_sequence }, { looked: rows.length, limit: batchLimit, lastLookedAt: rows.at(-1)?.sequence });
    statements.recordBackfillProgress.run(next ?? null, enqueued, backfill.id);
    return { enqueued, finished: statements.unfinishedBackfill.get(sink) === undefined };
  }

  // PASSIVE never waits for readers or writers; in WAL mode with one writing connection it copies
  // every committed page. A checkpoint that fails (another process holding the file) is simply
  // tried again on the next tick, as is one asked for while the last still runs. The timer does
  // not keep the process alive. Now and then a TRUNCATE checkpoint gives the WAL file's space back
  // too; it must not wait for a reader (another process taking a backup, say), so it runs with
  // no busy timeout. Checkpoints run in a thread of their own (`startCheckpointThread`); only
  // where that thread cannot run do they run here, on the event loop.
  let checkpointThread: CheckpointThread | undefined;
  try {
    checkpointThread = startCheckpointThread(filename);
  } catch {
    checkpointThread = undefined;
  }
  function checkpointOnLoop(mode: CheckpointMode) {
    database.pragma("busy_timeout = 0");
    try {
      database.pragma(`wal_checkpoint(${mode})`);
    } catch {
      // The WAL stays as it is until the next checkpoint; nothing committed is at risk.
    } finally {
      database.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    }
  }
  let checkpoints = 0;
  const checkpointTimer = setInterval(() => {
    if (closed) return;
    checkpoints += 1;
    const mode: CheckpointMode = checkpoints % truncatingCheckpointEvery === 0 ? "TRUNCATE" : "PASSIVE";
    if (checkpointThread?.running) void checkpointThread.checkpoint(mode);
    else checkpointOnLoop(mode);
  }, checkpointIntervalMs).unref();

  // Where the thread cannot run, nothing writes the index: a user's events not indexed yet are
  // read from the store's rows, which is right but reads more of them.
  let userEventsIndexThread: UserEventsIndexThread | undefined;
  try {
    userEventsIndexThread = startUserEventsIndexThread(filename);
  } catch {
    userEventsIndexThread = undefined;
  }
  const userEventsIndexTimer = setInterval(() => {
    if (!closed) void userEventsIndexThread?.catchUp();
  }, userEventsIndexIntervalMs).unref();

  // A stable code, so that a receiver answers 503 (the provider retries) and a read API can tell
  // "closed" from a bug.
  const open = () => {
    if (closed) throw new FriendhookError("store_unavailable", "The SQLite store is closed.");
    if (flushFailure !== undefined) throw flushFailedError();
  };
  const deliveryNumber = (deliveryId: string) => parseSequenceCursor(deliveryId);

  return {
    filename,

    durabilitySettings() {
      open();
      const synchronous = database.pragma("synchronous", { simple: true }) as number;
      return {
        journalMode: database.pragma("journal_mode", { simple: true }) as string,
        synchronous: synchronousNames[synchronous] ?? String(synchronous),
        walFlushed: true,
      };
    },

    statistics() {
      const appends = groupCommit.counts("append");
      return { appends: appends.submissions, appendTransactions: appends.transactions };
    },

    async append(append) {
      open();
      const unstorable = checkStorableText(append);
      if (unstorable) throw unstorable;
      const result = await groupCommit.submit("append", () => appendOne(append));
      storedEvents += result.inserted;
      return result;
    },

    async listEvents(pageOptions = {}) {
      open();
      const rows = statements.listEvents.all(parseSequenceCursor(pageOptions.after), resolvePageLimit(pageOptions.limit));
      return { events: rows.map((row) => JSON.parse(row.event) as FriendEvent), next: nextCursor(rows) };
    },

    async claimDeliveries({ sink, limit, leaseMs, now }) {
      open();
      return groupCommit.submit("delivery", () => claim(sink, limit, leaseMs, now));
    },

    async completeDeliveries({ deliveryIds }) {
      open();
      const ids = deliveryIds.map(deliveryNumber);
      if (ids.length === 0) return;
      await groupCommit.submit("delivery", () => {
        const completedPerSink = new Map<string, number>();
        for (const { sink } of statements.complete.all(JSON.stringify(ids))) completedPerSink.set(sink, (completedPerSink.get(sink) ?? 0) + 1);
        const second = activitySecond(Date.now());
        for (const [sink, count] of completedPerSink) statements.countDelivered.run(second, sink, count);
      });
    },

    async failDeliveries({ failures, now }) {
      open();
      await groupCommit.submit("delivery", () => {
        for (const failure of failures) {
          const id = deliveryNumber(failure.deliveryId);
          if ("deadLetter" in failure) statements.deadLetter.run(failure.error, now, id);
          else statements.retry.run(failure.error, failure.retryAt, id);
        }
      });
    },

    async listDeadLetters(pageOptions = {}) {
      open();
      const rows = statements.listDeadLetters.all({
        sink: pageOptions.sink ?? null,
        after: parseSequenceCursor(pageOptions.after),
        limit: resolvePageLimit(pageOptions.limit),
      });
      return { deadLetters: rows.map(toDeadLetter), next: nextCursor(rows) };
    },

    async beginBackfill(input) {
      open();
      checkBackfillInput(input);
      // Beside the appends, in their order: the range ends at the last event stored before it.
      return groupCommit.submit("delivery", () => beginBackfill(input));
    },

    async continueBackfill(input) {
      open();
      return groupCommit.submit("delivery", () => continueBackfill(input));
    },

    async replayDeadLetters({ sink, deliveryIds, now }) {
      open();
      const replayed = database.transaction(() => {
        if (deliveryIds === undefined) return statements.replayAll.run({ sink: sink ?? null, now }).changes;
        let count = 0;
        for (const deliveryId of deliveryIds) {
          count += statements.replayOne.run({ sink: sink ?? null, now, id: deliveryNumber(deliveryId) }).changes;
        }
        return count;
      }).immediate();
      await durable();
      return replayed;
    },

    async countDeliveries() {
      open();
      return statements.countDeliveries.all().map((row) => ({ sink: row.sink, pending: row.pending, deadLettered: row.dead_lettered }));
    },

    async listUnrecognized(pageOptions = {}) {
      open();
      const rows = statements.listUnrecognized.all(parseSequenceCursor(pageOptions.after), resolvePageLimit(pageOptions.limit));
      return { callbacks: rows.map(toStoredCallback), next: nextCursor(rows) };
    },

    async readCallback(input) {
      open();
      const row = "callbackId" in input ? statements.readCallback.get(input.callbackId) : statements.readCallbackOfEvent.get(input.eventId);
      return row && toStoredCallback(row);
    },

    async friendsOf({ provider, appId, userId }) {
      open();
      const rows = statements.friendsOf.all(provider, appId, userId);
      return {
        friends: sortUserIds(rows.filter((row) => row.relation === "friend").map((row) => row.other)),
        blocked: sortUserIds(rows.filter((row) => row.relation === "blocked").map((row) => row.other)),
      };
    },

    async recordDecisions(recorded) {
      open();
      // Joins the appends' transactions: durable once it resolves, without a commit of its own.
      await groupCommit.submit("decision", () => decisions.record(recorded));
    },

    async listDecisions(pageOptions = {}) {
      open();
      return decisions.list({ ...pageOptions, after: parseSequenceCursor(pageOptions.after), limit: resolvePageLimit(pageOptions.limit) });
    },

    async prune(input) {
      open();
      const result = await groupCommit.submit("prune", () => pruneOnce(input));
      storedEvents -= result.events;
      // Outside the transaction: incremental_vacuum moves pages and commits on its own.
      if (!closed && result.events + result.deadLetters + result.callbacks + result.tombstones + result.decisions > 0) vacuumFreePages();
      return result;
    },

    async measure() {
      open();
      const fileSize = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      const index = userEventsIndexFilename(filename);
      const bytes = [filename, `${filename}-wal`, index, `${index}-wal`].reduce((sum, path) => sum + fileSize(path), 0);
      return { events: storedEvents, bytes };
    },

    async listUserEvents({ provider, appId, userId, after, limit }) {
      open();
      const rows = userEvents.read({ provider, appId, userId, after: parseSequenceCursor(after), limit: resolvePageLimit(limit) });
      return { events: rows.map((row) => JSON.parse(row.event) as FriendEvent), next: nextCursor(rows) };
    },

    async listLatestEvents(input = {}) {
      open();
      const rows = statements.latestEvents.all(resolvePageLimit(input.limit)).reverse();
      return { events: rows.map((row) => JSON.parse(row.event) as FriendEvent), next: nextCursor(rows) };
    },

    async deliveryStatistics({ sinks }) {
      open();
      return database.transaction(() => sinks.map(statisticsOf))();
    },

    async activity({ since }) {
      open();
      const first = firstActivitySecond(since, Date.now());
      const delivered = new Map<string, SecondCount[]>();
      for (const row of statements.deliveredSince.all(first)) {
        const seconds = delivered.get(row.sink) ?? [];
        seconds.push({ second: row.second, count: row.count });
        delivered.set(row.sink, seconds);
      }
      return {
        stored: toSecondCounts(statements.storedSince.all(first)),
        delivered: [...delivered.entries()].sort(([left], [right]) => (left < right ? -1 : 1)).map(([sink, seconds]) => ({ sink, seconds })),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(checkpointTimer);
      clearInterval(userEventsIndexTimer);
      await groupCommit.drain();
      await userEventsIndexThread?.close();
      userEvents.close();
      await walSync.close();
      // The thread's connection first, so that the store's, the last, removes the WAL file.
      await checkpointThread?.close();
      database.close();
    },
  };
}
