import { write } from "node:fs";
import SonicBoom from "sonic-boom";

/** Why a line was not written: the buffer was full (the reader is slow or stopped), or the output is closed (the reader has gone). */
export type DropReason = "buffer_full" | "output_closed";

export const dropReasons: readonly DropReason[] = ["buffer_full", "output_closed"];

export interface StandardOutputOptions {
  /** The bytes kept while the reader is slower than the app; lines beyond them are dropped. */
  readonly bufferBytes: number;
  /** Where the one warning per reason goes; standard error by default. */
  readonly warn?: (message: string) => void;
}

/** The app's standard output: the log and the console sink write there, and never wait for it. */
export interface StandardOutput {
  /**
   * Queues whole lines for writing, without waiting: returns undefined once they are queued, or why
   * they were dropped. Never blocks, never throws. Queued lines the reader never reads (it went
   * away) are lost, as is what the pipe held: standard output confirms nothing.
   */
  write(lines: string): DropReason | undefined;
  /**
   * Writes what is queued, for at most `timeoutMs`, and stops: resolves with whether everything was
   * written. Lines written afterwards are dropped.
   */
  end(timeoutMs: number): Promise<boolean>;
}

/**
 * Written asynchronously, errors ignored: standard error may be the same broken pipe, or a terminal,
 * which Node would write synchronously, and a paused one would then stop the event loop.
 */
function warnOnStandardError(message: string): void {
  write(process.stderr.fd, `friendhook: ${message}\n`, () => undefined);
}

/** Keeps an error of a standard stream (EPIPE once its reader has gone) from ending the process. */
function ignoreStreamError(): void {}

/**
 * Node opens a pipe or a socket behind `process.stdout` in non-blocking mode; until something opens
 * it, the descriptor stays as the parent gave it, blocking in a shell pipeline. A blocking write to
 * a pipe nobody reads would hold a thread of libuv's pool, and `process.exit` waits for that thread:
 * forever. A write to a non-blocking one fails with EAGAIN instead, which sonic-boom retries later.
 * The error listeners keep another writer of these streams (a `console.log` in a library, the
 * warnings below) from ending the process once their reader has gone.
 */
function prepareStandardStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners("error").includes(ignoreStreamError)) stream.on("error", ignoreStreamError);
  }
}

/**
 * Opens the app's standard output: sonic-boom writing asynchronously, its buffer bounded by
 * `bufferBytes` (`maxLength`), retrying writes the pipe refuses for now (EAGAIN) every 100 ms.
 * When the buffer is full, lines are dropped; when a write fails otherwise (EPIPE: the reader has
 * gone), the output is closed for good and every later line is dropped. The first line dropped for
 * each reason is announced by one warning on standard error.
 */
export function openStandardOutput(options: StandardOutputOptions): StandardOutput {
  const warn = options.warn ?? warnOnStandardError;
  prepareStandardStreams();
  const stream = new SonicBoom({ fd: process.stdout.fd, sync: false, maxLength: options.bufferBytes });
  const warned = new Set<DropReason>();
  let closedBy: string | undefined;
  let ending = false;
  // sonic-boom says it dropped a line by an event emitted inside `write`.
  let droppedByWrite = false;

  const dropped = (reason: DropReason): DropReason => {
    if (warned.has(reason) || ending) return reason;
    warned.add(reason);
    warn(
      reason === "buffer_full"
        ? `standard output is not read fast enough: its buffer of ${options.bufferBytes} bytes is full, so lines are dropped (counted by friendhook_log_lines_dropped_total; console sink deliveries fail and are retried)`
        : `standard output is closed (${closedBy}): its reader has gone, so every line from now on is dropped (counted by friendhook_log_lines_dropped_total; console sink deliveries fail and are retried)`,
    );
    return reason;
  };

  stream.on("drop", () => {
    droppedByWrite = true;
  });
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (closedBy !== undefined) return;
    closedBy = error.code ?? error.message;
    dropped("output_closed");
  });

  return {
    write(lines) {
      if (closedBy !== undefined || ending) return dropped("output_closed");
      droppedByWrite = false;
      stream.write(lines);
      return droppedByWrite ? dropped("buffer_full") : undefined;
    },
    end(timeoutMs) {
      if (ending) return Promise.resolve(false);
      ending = true;
      if (closedBy !== undefined) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        const settle = (written: boolean) => {
          clearTimeout(timer);
          resolve(written);
        };
        stream.once("close", () => settle(true));
        stream.once("error", () => settle(false));
        stream.end();
      });
    },
  };
}
