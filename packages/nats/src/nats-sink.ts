import { type FriendEvent, type FriendEventSink, parseOptions, SinkError } from "@friendhook/core";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type ConnectionWatch, watchConnection } from "./connection-watch";
import { type NatsSinkOptions, NatsSinkOptionsSchema } from "./nats-sink-options";
import { subjectOf } from "./subject";

export interface NatsSink extends FriendEventSink {
  readonly name: "nats";
  readonly idempotent: true;
  /** The subject an event is published on. */
  subjectOf(event: FriendEvent): string;
  /** Drains and closes the connection the sink opened; leaves a connection passed in `connection` open. */
  close(): Promise<void>;
}

/**
 * Publishes each event to JetStream with the event id as the message id (`Nats-Msg-Id`), one after
 * another, waiting for each acknowledgement: the stream's duplicate window drops a copy, and a
 * `duplicate` acknowledgement counts as stored.
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

  return {
    name: "nats",
    idempotent: true,
    subjectOf: sinkSubjectOf,
    async deliver(events) {
      if (events.length === 0) return;
      try {
        const { jetStream, watch } = await currentClient();
        // A publish while the connection is down would be dropped by the client and only time out.
        if (!watch.connected) throw new Error("the connection to the NATS server is down; the client is reconnecting");
        const disconnection = watch.untilDisconnected();
        try {
          for (const event of events) {
            // Awaited one by one, so that a failure leaves no later event stored before an earlier one.
            const published = jetStream.publish(sinkSubjectOf(event), encoder.encode(JSON.stringify(event)), {
              msgID: event.id,
              timeout: parsed.timeoutMs,
            });
            // Lost to the disconnection, its own timeout later must not surface as unhandled.
            published.catch(() => undefined);
            await Promise.race([published, disconnection.lost]);
          }
        } finally {
          disconnection.stop();
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SinkError(`NATS sink could not publish the batch: ${reason}`, { cause: error });
      }
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
