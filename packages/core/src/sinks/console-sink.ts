import type { FriendEvent } from "../friend-event";
import { type FriendEventSink, SinkBatchError } from "../friend-event-sink";

export interface ConsoleSinkOptions {
  /** `line`: one readable line per event (the default); `json`: one JSON object per line. */
  format?: "line" | "json";
  /** Where lines go; standard output by default. */
  write?: (line: string) => void;
}

/** `2022-01-20T03:16:53.494Z easemob org#app friend.added tst ⇄ alice  evt_…` */
export function formatFriendEventLine(event: FriendEvent): string {
  const arrow = event.mutual ? "⇄" : "→";
  const failure = event.type === "friend.operation.failed" ? ` (${event.details.attemptedType} failed: ${event.details.failureCode})` : "";
  return `${event.occurredAt} ${event.provider} ${event.appId} ${event.type} ${event.actor} ${arrow} ${event.target}${failure}  ${event.id}`;
}

/** Prints each event; for development and for watching a receiver work. Not idempotent. */
export function createConsoleSink(options: ConsoleSinkOptions = {}): FriendEventSink {
  const format = options.format ?? "line";
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return {
    name: "console",
    idempotent: false,
    async deliver(events) {
      for (const [index, event] of events.entries()) {
        try {
          write(format === "json" ? JSON.stringify(event) : formatFriendEventLine(event));
        } catch (error) {
          // The lines written stay written: say which, so that they are not printed twice.
          throw SinkBatchError.stoppedAt(index, events.length, error);
        }
      }
    },
  };
}
