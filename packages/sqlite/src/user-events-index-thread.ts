import { startSqliteThread } from "./sqlite-thread";
import { userEventsIndexFilename } from "./user-events-index";

/**
 * Keeps the index of events by user (`user-events-index.ts`) up with the store, in a worker
 * thread with connections of its own: one that only reads the store's file, one that writes the
 * index file. Neither ever waits for the store's writer, nor the writer for them.
 */
export interface UserEventsIndexThread {
  /** False once the thread has ended: queries then read what is not indexed from the store's rows. */
  readonly running: boolean;
  /**
   * Indexes what the store has committed since, a batch per transaction, until it is caught up;
   * resolves with the sequence indexed through. A call while one runs joins it.
   */
  catchUp(): Promise<number>;
  /** Closes the thread's connections and ends the thread, after the batch in progress. */
  close(): Promise<void>;
}

/**
 * Events per transaction of the index. Sorted by user, the entries of a large batch share leaf
 * pages; 10,000 events take the thread tens of milliseconds.
 */
const batchEvents = 10_000;

// Run by the worker (`startSqliteThread`). Each message indexes one batch and answers how far the
// index reaches and whether more is waiting; events pruned from the store take their entries with them.
const threadSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const store = new Database(workerData.storeFilename, { readonly: true, fileMustExist: true });
const index = new Database(workerData.indexFilename, { fileMustExist: true });
index.pragma("journal_mode = WAL");
index.pragma("synchronous = NORMAL");
const readEvents = store.prepare("SELECT sequence, provider, app_id, actor, target FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?");
const firstSequence = store.prepare("SELECT min(sequence) AS first FROM events").pluck();
const progress = index.prepare("SELECT indexed_through FROM progress").pluck();
const insertEntry = index.prepare("INSERT OR IGNORE INTO user_events (provider, app_id, user_id, sequence) VALUES (?, ?, ?, ?)");
const recordProgress = index.prepare("UPDATE progress SET indexed_through = ?");
const pruneEntries = index.prepare("DELETE FROM user_events WHERE sequence < ?");
const byKey = (left, right) =>
  left.provider < right.provider ? -1 : left.provider > right.provider ? 1
  : left.appId < right.appId ? -1 : left.appId > right.appId ? 1
  : left.userId < right.userId ? -1 : left.userId > right.userId ? 1
  : left.sequence - right.sequence;
let prunedBelow = 0;
const writeBatch = index.transaction((rows, indexedThrough, first) => {
  const entries = [];
  for (const row of rows) {
    for (const userId of [row.actor, row.target]) {
      if (typeof userId === "string") entries.push({ provider: row.provider, appId: row.app_id, userId, sequence: row.sequence });
    }
  }
  entries.sort(byKey);
  for (const entry of entries) insertEntry.run(entry.provider, entry.appId, entry.userId, entry.sequence);
  recordProgress.run(indexedThrough);
  if (first > prunedBelow) pruneEntries.run(first);
});
// Only this thread writes the index file, so its progress can be read outside the transaction; a
// batch with nothing new and nothing to prune takes no write transaction.
function indexBatch() {
  const through = progress.get();
  const rows = readEvents.all(through, workerData.batchEvents);
  const indexedThrough = rows.length > 0 ? rows[rows.length - 1].sequence : through;
  const first = firstSequence.get() ?? indexedThrough + 1;
  if (rows.length > 0 || first > prunedBelow) {
    writeBatch(rows, indexedThrough, first);
    prunedBelow = Math.max(prunedBelow, first);
  }
  return { indexedThrough, more: rows.length === workerData.batchEvents };
}
parentPort.on("message", (message) => {
  if (message === "close") {
    store.close();
    index.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage(indexBatch());
  } catch (error) {
    parentPort.postMessage({ failed: String(error) });
  }
});
`;

type BatchAnswer = { indexedThrough: number; more: boolean } | { failed: string };

/** Starts the thread; throws when a worker thread cannot be had. */
export function startUserEventsIndexThread(storeFilename: string): UserEventsIndexThread {
  const thread = startSqliteThread<"batch", BatchAnswer>(
    threadSource,
    { storeFilename, indexFilename: userEventsIndexFilename(storeFilename), batchEvents },
    { failed: "the thread ended" },
  );
  let closing = false;
  let running: Promise<number> | undefined;

  async function catchUp(): Promise<number> {
    let indexedThrough = 0;
    for (;;) {
      if (!thread.running || closing) return indexedThrough;
      const batch = await thread.ask("batch");
      // A batch that failed (the store's file busy in a checkpoint's recovery, say) is tried again
      // at the next call; what it did not index is read from the store's rows meanwhile.
      if ("failed" in batch) return indexedThrough;
      indexedThrough = batch.indexedThrough;
      if (!batch.more) return indexedThrough;
    }
  }

  return {
    get running() {
      return thread.running;
    },
    catchUp() {
      running ??= catchUp().finally(() => {
        running = undefined;
      });
      return running;
    },
    async close() {
      closing = true;
      await running;
      await thread.close();
    },
  };
}
