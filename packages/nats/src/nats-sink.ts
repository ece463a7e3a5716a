import { type FriendEvent, type FriendEventSink, parseOptions, SinkError } from "@friendhook/core";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
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
      // Keep reconnecting: while disconnected, publishes wait in the client's buffer and the
      // acknowledgement timeout turns an outage into a failed delivery, retried later.
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

  let client: { connection: NatsConnection; jetStream: JetStreamClient } | undefined;
  const jetStreamClient = async (): Promise<JetStreamClient> => {
    const connection = parsed.connection ?? (await (owned ??= openOwnConnection()));
    if (client?.connection !== connection) client = { connection, jetStream: jetstream(connection) };
    return client.jetStream;
  };

  const sinkSubjectOf = (event: FriendEvent) => subjectOf(parsed.subject, event);

  return {
    name: "nats",
    idempotent: true,
    subjectOf: sinkSubjectOf,
    async deliver(events) {
      if (events.length === 0) return;
      try {
        const jetStream = await jetStreamClient();
        for (const event of events) {
          // Awaited one by one, so that a failure leaves no later event stored before an earlier one.
          await jetStream.publish(sinkSubjectOf(event), encoder.encode(JSON.stringify(event)), {
            msgID: event.id,
            timeout: parsed.timeoutMs,
          });
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SinkError(`NATS sink could not publish the batch: ${reason}`, { cause: error });
      }
    },
    async close() {
      const opening = owned;
      owned = undefined;
      if (!opening) return;
      const connection = await opening.catch(() => undefined);
      if (connection && !connection.isClosed()) await connection.drain();
    },
  };
}
