import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

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

// CommonJS run by the worker (`eval`): the driver is loaded by its resolved path, so that the
// thread finds the same better-sqlite3 as this package whatever the working directory.
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

/** Starts the thread; throws when a worker thread or the driver in it cannot be had. */
export function startCheckpointThread(filename: string): CheckpointThread {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(threadSource, { eval: true, workerData: { driver, filename } });
  // The store's timer asks for checkpoints and does not keep the process alive; nor does this.
  worker.unref();
  let waiting: ((done: boolean) => void) | undefined;
  let ended = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const end = () => {
    ended = true;
    waiting?.(false);
    waiting = undefined;
  };
  worker.on("message", (done: boolean) => {
    waiting?.(done);
    waiting = undefined;
  });
  worker.on("error", end);
  worker.once("exit", end);

  return {
    get running() {
      return !ended;
    },
    checkpoint(mode) {
      if (ended || waiting) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        waiting = resolve;
        worker.postMessage(mode);
      });
    },
    async close() {
      // Held until the thread has ended: an unreferenced thread would let the process exit before.
      worker.ref();
      if (!ended) worker.postMessage("close");
      await exited;
    },
  };
}
