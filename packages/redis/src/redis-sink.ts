import { type FriendEvent, type FriendEventSink, parseOptions, SinkBatchError, SinkError } from "@friendhook/core";
import { createClient } from "redis";
import { type AppendedEvent, type AppendResult, appendEvents } from "./append-script";
import { fillEventTemplate } from "./event-template";
import { type RedisCommandClient, type RedisSinkOptions, RedisSinkOptionsSchema } from "./redis-sink-options";

export interface RedisSink extends FriendEventSink {
  readonly name: "redis";
  readonly idempotent: true;
  /** The stream an event goes to. */
  streamKeyOf(event: FriendEvent): string;
  /** Closes the client the sink opened; leaves a client passed in `client` open. */
  close(): Promise<void>;
}

/** Reconnection gives up after this many attempts; the next delivery starts over. */
const reconnectAttempts = 3;

function ownClient(url: string, clientName: string, connectTimeoutMs: number) {
  const client = createClient({
    url,
    name: clientName,
    // Fail a command at once while disconnected rather than queue it: the delivery is retried anyway.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries, cause) => (retries >= reconnectAttempts ? cause : 100 * 2 ** retries),
    },
  });
  // Connection errors also reject the command or connect() under way; without a listener they
  // would end the process.
  client.on("error", () => undefined);
  return client;
}

/**
 * Appends each event to a Redis Stream (XADD, trimmed with MAXLEN ~), at most once per event id
 * for `dedupeTtlSeconds`: a Lua script stores the entry and its marker together. When the server
 * refuses one event (its key holds another type: permanent), the sink reports the events appended
 * before it and leaves the rest unattempted (`SinkBatchError`).
 */
export function createRedisSink(options: RedisSinkOptions): RedisSink {
  const parsed = parseOptions(RedisSinkOptionsSchema, options, "Redis sink");
  const owned = parsed.url === undefined ? undefined : ownClient(parsed.url, parsed.clientName, parsed.connectTimeoutMs);
  const client: RedisCommandClient = parsed.client ?? (owned as RedisCommandClient);
  let connecting: Promise<unknown> | undefined;

  const connected = async (): Promise<void> => {
    if (!owned) return;
    if (!owned.isOpen) {
      connecting ??= owned.connect().finally(() => {
        connecting = undefined;
      });
    }
    // A connection under way counts as open already: wait for it rather than send into it.
    if (connecting) await connecting;
  };

  const streamKeyOf: RedisSink["streamKeyOf"] = (event) => fillEventTemplate(parsed.key, event);

  return {
    name: "redis",
    idempotent: true,
    streamKeyOf,
    async deliver(events) {
      if (events.length === 0) return;
      const appended: AppendedEvent[] = events.map((event) => {
        const streamKey = streamKeyOf(event);
        return { streamKey, markerKey: `${streamKey}:seen:${event.id}`, id: event.id, type: event.type, json: JSON.stringify(event) };
      });
      let result: AppendResult;
      try {
        await connected();
        result = await appendEvents(client, appended, parsed);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SinkError(`Redis sink could not append the batch: ${reason}`, { cause: error });
      }
      const { refused } = result;
      if (!refused) return;
      // The key holds something other than a stream: no retry can append this event there.
      const aboutTheKey = refused.reason.startsWith("WRONGTYPE");
      const error = new SinkError(`Redis sink could not append event ${refused.index + 1} of ${events.length}: ${refused.reason}`, {
        permanent: aboutTheKey,
      });
      if (refused.index === 0 && !aboutTheKey) throw error;
      throw SinkBatchError.stoppedAt(refused.index, events.length, error);
    },
    async close() {
      if (owned?.isOpen) await owned.close();
    },
  };
}
