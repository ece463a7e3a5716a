import type { FriendEvent } from "../friend-event";
import { type FriendEventSink, SinkBatchError, SinkError } from "../friend-event-sink";

export interface ConsoleSinkOptions {
  /** `line`: one readable line per event (the default); `json`: one JSON object per line. */
  format?: "line" | "json";
  /**
   * Where lines go; standard output by default. A write that throws fails its event, which the
   * receiver retries like any sink's; the lines written before it count as delivered.
   */
  write?: (line: string) => void;
}

/**
 * What standard output may hold unwritten before the sink refuses lines: a reader that stops
 * reading must make deliveries fail, not the process grow.
 */
const maximumUnwrittenBytes = 1024 * 1024;

/** `2022-01-20T03:16:53.494Z easemob org#app friend.added tst ⇄ alice  evt_…` */
export function formatFriendEventLine(event: FriendEvent): string {
  const arrow = event.mutual ? "⇄" : "→";
  const failure = event.type === "friend.operation.failed" ? ` (${event.details.attemptedType} failed: ${event.details.failureCode})` : "";
  return `${event.occurredAt} ${event.provider} ${event.appId} ${event.type} ${event.actor} ${arrow} ${event.target}${failure}  ${event.id}`;
}

interface LineWriter {
  write(line: string): void;
  close(): void;
}

/**
 * Standard output, written without waiting (Node writes a pipe asynchronously): when more than
 * `maximumUnwrittenBytes` wait for a reader that stopped reading, or the reader has gone (EPIPE),
 * a write throws instead of blocking or ending the process with an unhandled stream error. A
 * runtime without Node's `process.stdout` (a worker, say) gets `console.log`.
 */
function standardOutputWriter(): LineWriter {
  // Reached through `globalThis`: core runs where there is no `process` (see CONTRIBUTING.md).
  const stdout = globalThis.process?.stdout;
  if (stdout === undefined) return { write: (line) => console.log(line), close: () => undefined };
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  stdout.on("error", onError);
  return {
    write(line) {
      if (failure !== undefined) throw new SinkError(`Standard output cannot be written: ${failure.message}`, { cause: failure });
      if (stdout.writableLength > maximumUnwrittenBytes) {
        throw new SinkError(`Standard output is not read fast enough: more than ${maximumUnwrittenBytes} bytes wait to be written.`);
      }
      stdout.write(`${line}\n`);
    },
    close: () => {
      stdout.off("error", onError);
    },
  };
}

/**
 * Prints each event; for development and for watching a receiver work. Not idempotent. A line it
 * cannot write fails the delivery, to be retried: it never blocks, nor ends the process.
 */
export function createConsoleSink(options: ConsoleSinkOptions = {}): FriendEventSink {
  const format = options.format ?? "line";
  const output = options.write ? { write: options.write, close: () => undefined } : standardOutputWriter();
  return {
    name: "console",
    idempotent: false,
    async deliver(events) {
      for (const [index, event] of events.entries()) {
        try {
          output.write(format === "json" ? JSON.stringify(event) : formatFriendEventLine(event));
        } catch (error) {
          // The lines written stay written: say which, so that they are not printed twice.
          throw SinkBatchError.stoppedAt(index, events.length, error);
        }
      }
    },
    async close() {
      output.close();
    },
  };
}
