import {
  deliveryOrderKey,
  type FriendEvent,
  type FriendEventSink,
  parseOptions,
  SinkBatchError,
  SinkError,
  type SinkEventOutcome,
} from "@friendhook/core";
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type ConnectionWatch, watchConnection } from "./connection-watch";
import { type NatsSinkOptions, NatsSinkOptionsSchema } from "./nats-sink-options";
import { describePublishFailure, streamAddCommand } from "./publish-failure";
import { subjectFilterOf, subjectOf } from "./subject";

export interface NatsSink extends FriendEventSink {
  readonly name: "nats";
  readonly idempotent: true;
  /** The subject an event is published on. */
  subjectOf(event: FriendEvent): string;
  /**
   * Creates the stream named in `createStream` now, unless it exists; delivery does it before the
   * first publish. Does nothing without `createStream`.
   */
  ensureStream(): Promise<void>;
  /** Drains and closes the connection the sink opened; leaves a connection passed in `connection` open. */
  close(): Promise<void>;
}

/**
 * Publishes each event to JetStream with the event id as the message id (`Nats-Msg-Id`): the
 * stream's duplicate window drops a copy, and a `duplicate` acknowledgement counts as stored. The
 * user pairs of a batch are published in parallel, the events of each pair one after another,
 * each waiting for the acknowledgement of the one before. An event larger than the server or stream
 * takes fails alone and permanently, and holds back the rest of its pair; any other failure stops
 * the batch. Either way the sink reports what became of each event (`SinkBatchError`). With
 * `createStream`, the stream is created when missing.
 */
export function createNatsSink(options: NatsSinkOptions): NatsSink {
  const parsed = parseOptions(NatsSinkOptionsSchema, options, "NATS sink");
  const encoder = new TextEncoder();
  let owned: Promise<NatsConnection> | undefined;

  const openOwnConnection = (): Promise<NatsConnection> => {
    const opening = connect({
      servers: parsed.servers,
      name: parsed.connectionName,
      timeout: parsed.connectTimeoutMs,
      // Keep reconnecting; while disconnected, deliveries fail at once and are retried later.
      maxReconnectAttempts: -1,
    });
    opening.then(
      (connection) => {
        // A connection that closes for good is replaced on the next delivery.
        void connection.closed().then(() => {
          if (owned === opening) owned = undefined;
        });
      },
      () => {
        if (owned === opening) owned = undefined;
      },
    );
    return opening;
  };

  interface Client {
    readonly connection: NatsConnection;
    readonly jetStream: JetStreamClient;
    readonly watch: ConnectionWatch;
  }
  let client: Client | undefined;
  const currentClient = async (): Promise<Client> => {
    const connection = parsed.connection ?? (await (owned ??= openOwnConnection()));
    if (client?.connection !== connection) {
      client?.watch.close();
      client = { connection, jetStream: jetstream(connection), watch: watchConnection(connection) };
    }
    return client;
  };

  const sinkSubjectOf = (event: FriendEvent) => subjectOf(parsed.subject, event);
  // For a subject the sink publishes on: what a stream must capture (the option's schema ensures one for createStream).
  const streamSubjects = (subject: string) => parsed.createStream?.subjects ?? [subjectFilterOf(parsed.subject) ?? subject];
  const suggestion = (subject: string) => streamAddCommand(parsed.createStream?.name ?? "FRIENDHOOK", streamSubjects(subject));

  // The connection on which the stream is known to exist: checked again after a new connection.
  let streamReadyOn: NatsConnection | undefined;
  const ensureStream = async (connection: NatsConnection): Promise<void> => {
    const wanted = parsed.createStream;
    if (!wanted || streamReadyOn === connection) return;
    const manager = await jetstreamManager(connection);
    const exists = await manager.streams.info(wanted.name).then(
      () => true,
      (error: unknown) => {
        if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return false;
        throw error;
      },
    );
    if (!exists) {
      const subjects = wanted.subjects ?? [subjectFilterOf(parsed.subject) as string];
      try {
        await manager.streams.add({ name: wanted.name, subjects, storage: StorageType.File });
      } catch (error) {
        // Another process may have created it meanwhile; anything else (an overlap with another stream) is the operator's to fix.
        if (!(await manager.streams.info(wanted.name).then(() => true, () => false))) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`could not create stream ${wanted.name} for ${subjects.join(", ")}: ${reason}`, { cause: error });
        }
      }
    }
    streamReadyOn = connection;
  };

  return {
    name: "nats",
    idempotent: true,
    subjectOf: sinkSubjectOf,
    async ensureStream() {
      if (parsed.createStream) await ensureStream((await currentClient()).connection);
    },
    async deliver(events) {
      if (events.length === 0) return;
      let current: Client;
      try {
        current = await currentClient();
        // A publish while the connection is down would be dropped by the client and only time out.
        if (!current.watch.connected) throw new Error("the connection to the NATS server is down; the client is reconnecting");
        await ensureStream(current.connection);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SinkError(`NATS sink could not publish the batch: ${reason}`, { cause: error });
      }
      const { connection, jetStream, watch } = current;
      const disconnection = watch.untilDisconnected();
      const outcomes: SinkEventOutcome[] = events.map(() => ({ status: "not-attempted" }));
      // The first failure that is not an event's own (the server, the connection): no publish starts after it.
      let stoppedBy: SinkError | undefined;
      let eventFailures = 0;

      const publishOne = async (index: number, event: FriendEvent): Promise<boolean> => {
        let subject = "";
        try {
          subject = sinkSubjectOf(event);
          const published = jetStream.publish(subject, encoder.encode(JSON.stringify(event)), { msgID: event.id, timeout: parsed.timeoutMs });
          // Lost to the disconnection, its own timeout later must not surface as unhandled.
          published.catch(() => undefined);
          await Promise.race([published, disconnection.lost]);
          outcomes[index] = { status: "delivered" };
          return true;
        } catch (publishError) {
          const { error, aboutEvent } = await describePublishFailure(publishError, connection, subject, suggestion);
          if (aboutEvent) {
            eventFailures += 1;
            outcomes[index] = { status: "failed", error };
          } else if (stoppedBy === undefined) {
            stoppedBy = error;
            outcomes[index] = { status: "failed", error };
          }
          // Another publish in flight when the batch stopped: not charged, delivered again (the
          // duplicate window drops it if it was stored after all).
          return false;
        }
      };

      // The user pairs go in parallel, each pair's events one after another: a pair's event is
      // published only once the one before it is acknowledged, so no failure can leave a later
      // event of a pair stored before an earlier one.
      const pairs = new Map<string, number[]>();
      events.forEach((event, index) => {
        const key = deliveryOrderKey(event);
        const positions = pairs.get(key);
        if (positions) positions.push(index);
        else pairs.set(key, [index]);
      });
      try {
        await Promise.all(
          [...pairs.values()].map(async (positions) => {
            for (const index of positions) {
              if (stoppedBy !== undefined || !(await publishOne(index, events[index] as FriendEvent))) return;
            }
          }),
        );
      } finally {
        disconnection.stop();
      }
      if (stoppedBy === undefined && eventFailures === 0) return;
      const delivered = outcomes.filter((outcome) => outcome.status === "delivered").length;
      // Nothing got through, and not because of an event: the batch failed as a whole.
      if (delivered === 0 && eventFailures === 0 && stoppedBy !== undefined) throw stoppedBy;
      const failed = outcomes.flatMap((outcome) => (outcome.status === "failed" ? [outcome.error as SinkError] : []));
      const cause = stoppedBy ?? failed[0];
      throw new SinkBatchError(`${delivered} of ${events.length} events published, ${failed.length} failed: ${cause?.message}`, outcomes, { cause });
    },
    async close() {
      client?.watch.close();
      client = undefined;
      const opening = owned;
      owned = undefined;
      if (!opening) return;
      const connection = await opening.catch(() => undefined);
      if (connection && !connection.isClosed()) await connection.drain();
    },
  };
}
