import { SinkError } from "@friendhook/core";
import { JetStreamApiError, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

/** JetStream's error code for a message larger than the stream's `max_msg_size`. */
const messageTooLargeForStream = 10054;

export interface PublishFailure {
  readonly error: SinkError;
  /** The failure is this event's own (it is too large): other events may well be taken. */
  readonly aboutEvent: boolean;
}

/** The `nats` command that creates a stream for `subjects`, for error messages and the README. */
export function streamAddCommand(streamName: string, subjects: readonly string[]): string {
  return `nats stream add ${streamName} ${subjects.map((subject) => `--subjects '${subject}'`).join(" ")} --storage file --defaults`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The client reports a publish nobody answered as "jetstream is not enabled", which is true only
 * when the server runs without JetStream. Far more often no stream captures the subject: ask the
 * server which it is.
 */
async function explainNoResponders(connection: NatsConnection, subject: string, suggestion: (subject: string) => string): Promise<string> {
  let manager: JetStreamManager;
  try {
    manager = await jetstreamManager(connection);
  } catch {
    return "JetStream is not enabled on the NATS server or for this account (start nats-server with -js)";
  }
  try {
    const stream = await manager.streams.find(subject);
    return `stream ${stream} captures subject ${subject}, but did not answer the publish`;
  } catch {
    return `no JetStream stream captures subject ${subject}: create one, e.g. \`${suggestion(subject)}\`, or set the sink's createStream option`;
  }
}

/** Says why publishing one event failed, asking the server when the client's own words would mislead. */
export async function describePublishFailure(
  error: unknown,
  connection: NatsConnection,
  subject: string,
  suggestion: (subject: string) => string,
): Promise<PublishFailure> {
  const name = error instanceof Error ? error.name : "";
  if (name === "JetStreamNotEnabled") {
    const reason = await explainNoResponders(connection, subject, suggestion).catch(() => reasonOf(error));
    return { error: new SinkError(`NATS sink could not publish: ${reason}.`, { cause: error }), aboutEvent: false };
  }
  const tooLarge =
    (error instanceof JetStreamApiError && error.code === messageTooLargeForStream) ||
    (name === "InvalidArgumentError" && reasonOf(error).includes("max_payload"));
  if (tooLarge) {
    return {
      error: new SinkError(`NATS sink could not publish the event, which is larger than the server or stream takes: ${reasonOf(error)}`, {
        cause: error,
        permanent: true,
      }),
      aboutEvent: true,
    };
  }
  return { error: new SinkError(`NATS sink could not publish: ${reasonOf(error)}`, { cause: error }), aboutEvent: false };
}
