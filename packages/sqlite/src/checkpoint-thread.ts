import { startSqliteThread } from "./sqlite-thread";

/** `PASSIVE` copies what it can without waiting; `TRUNCATE` also gives the WAL file's space back. */
export type CheckpointMode = "PASSIVE" | "TRUNCATE";

/**
 * Checkpoints on a connection of their own in a worker thread. A checkpoint copies the WAL into
 * the database file and flushes both to the disk, milliseconds to tens of milliseconds each
 * second under load; on the store's own connection that would stop the event loop meanwhile. A
 * `PASSIVE` checkpoint takes no lock that writers wait for, so the store goes on committing.
 */
export interface CheckpointThread {
  /** False once the thread has ended (it could not load the driver, say): checkpoint elsewhere then. */
  readonly running: boolean;
  /** Resolves once the checkpoint ran; false when it could not (the file busy, say): try again later. */
  checkpoint(mode: CheckpointMode): Promise<boolean>;
  /** Closes the thread's connection and ends the thread. */
  close(): Promise<void>;
}

// Run by the worker (`startSqliteThread`).
const threadSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const database = new Database(workerData.filename, { fileMustExist: true });
// A checkpoint that cannot have the file now is tried again on the next tick, never waited for.
database.pragma("busy_timeout = 0");
parentPort.on("message", (mode) => {
  if (mode === "close") {
    database.close();
    parentPort.close();
    return;
  }
  let done = true;
  try {
    database.pragma("wal_checkpoint(" + mode + ")");
  } catch {
    done = false;
  }
  parentPort.postMessage(done);
});
`;

/** Starts the thread; throws when a worker thread cannot be had. */
export function startCheckpointThread(filename: string): CheckpointThread {
  const thread = startSqliteThread<CheckpointMode, boolean>(threadSource, { filename }, false);
  return {
    get running() {
      return thread.running;
    },
    checkpoint(mode) {
      // One at a time: a checkpoint asked for while one runs is simply the next tick's.
      if (thread.busy) return Promise.resolve(false);
      return thread.ask(mode);
    },
    close: () => thread.close(),
  };
}
