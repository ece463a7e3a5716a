import { close, closeSync, fdatasync, fsyncSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

/**
 * Makes committed transactions durable without stopping the event loop for the disk.
 *
 * The connection runs with `synchronous = NORMAL`: a commit writes its WAL frames into the
 * operating system's cache and returns without waiting for the disk. `afterCommit()` then flushes
 * the WAL file (`fdatasync`) in Node's thread pool, and whoever wrote waits for it before resolving.
 * A flush covers every frame written before it began, so one flush serves every transaction
 * committed while the previous one ran; the loop goes on serving requests meanwhile. What a
 * resolved write wrote is on the disk, as with `synchronous = FULL`, which would make the same
 * flush inside the commit, on the loop.
 */
export interface WalSync {
  /** Resolves once a flush of the WAL file that began after this call has completed. */
  afterCommit(): Promise<void>;
  /** Waits for the flushes under way, then closes the file. */
  close(): Promise<void>;
}

/** How the WAL file is flushed, given its descriptor; a test may count or hold the flushes. */
export type FlushFile = (descriptor: number) => Promise<void>;

const noop = () => {};
const flushData: FlushFile = promisify(fdatasync);

export function createWalSync(walFilename: string, flush: FlushFile = flushData): WalSync {
  // Read and write: Windows flushes only a handle opened for writing. The file exists once the
  // connection has opened the database in WAL mode, and lives as long as that connection.
  const descriptor = openSync(walFilename, "r+");
  let running: Promise<void> | undefined;
  // One flush to begin when the running one ends, shared by every call made meanwhile.
  let queued: Promise<void> | undefined;

  function begin(): Promise<void> {
    const flushed = flush(descriptor);
    running = flushed;
    const settle = () => {
      if (running === flushed) running = undefined;
    };
    flushed.then(settle, settle);
    return flushed;
  }

  return {
    afterCommit() {
      if (running === undefined) return begin();
      queued ??= running.then(noop, noop).then(() => {
        queued = undefined;
        return begin();
      });
      return queued;
    },
    async close() {
      await Promise.allSettled([queued, running]);
      await promisify(close)(descriptor);
    },
  };
}

/**
 * Flushes the directory that holds `filename`, so that a file just created in it (the WAL) is
 * found after a power loss. Where a directory cannot be opened for that (Windows), its entries
 * are written through by the file system itself.
 */
export function syncDirectoryOf(filename: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(dirname(filename), "r");
    fsyncSync(descriptor);
  } catch {
    // Nothing more can be done from here; see above.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}
