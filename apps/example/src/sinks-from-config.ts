import { type FriendEventSink, SinkError, createConsoleSink, createMemorySink } from "@friendhook/core";
import { createHttpSink } from "@friendhook/http";
import { createNatsSink } from "@friendhook/nats";
import { createPostgresSink } from "@friendhook/postgres";
import { createRedisSink } from "@friendhook/redis";
import { type SinkSpecification, sinkNameOf } from "./config/sink-specification";
import type { StandardOutput } from "./standard-output";

export interface SinkContext {
  /**
   * Where the console sink writes its lines; standard output by default. A line it cannot take
   * throws, and the delivery fails, to be retried.
   */
  readonly writeLine?: (line: string) => void;
  /** The Standard Webhooks secrets of the HTTP sinks. */
  readonly httpSinkSecrets?: readonly string[];
}

/**
 * The sink under another name. Deliveries are tracked by sink name, so two sinks of one kind (two
 * Redis servers, say) need two names; the HTTP sink takes its name as an option instead.
 */
function renamed(sink: FriendEventSink, name: string): FriendEventSink {
  if (sink.name === name) return sink;
  return {
    name,
    idempotent: sink.idempotent,
    deliver: (events, context) => sink.deliver(events, context),
    close: async () => sink.close?.(),
  };
}

/**
 * The console sink's way into the app's standard output, shared with the log: a line that does not
 * fit (the reader is slow or stopped) or cannot be written (the reader has gone) fails the delivery,
 * which is retried with backoff and dead-lettered in the end, like any sink's.
 */
export function consoleLineWriter(output: StandardOutput): (line: string) => void {
  return (line) => {
    const dropped = output.write(`${line}\n`);
    if (dropped === "buffer_full") throw new SinkError("Standard output is not read fast enough: its buffer is full.");
    if (dropped === "output_closed") throw new SinkError("Standard output is closed: its reader has gone.");
  };
}

function httpSinkSecrets(context: SinkContext): string[] {
  // The configuration refuses an HTTP sink without a secret; this guards other callers of createApp.
  if (!context.httpSinkSecrets?.length) throw new Error("An HTTP sink needs httpSinkSecrets (FRIENDHOOK_HTTP_SINK_SECRET).");
  return [...context.httpSinkSecrets];
}

// Exhaustive over `SinkSpecification`: a new kind does not compile until it is built here.
function createSink(specification: SinkSpecification, context: SinkContext): FriendEventSink {
  switch (specification.kind) {
    case "console":
      return createConsoleSink(context.writeLine ? { write: context.writeLine } : {});
    case "memory":
      return createMemorySink();
    case "postgres": {
      const { connectionString, schema, tablePrefix } = specification;
      return createPostgresSink({ connectionString, ...(schema && { schema }), ...(tablePrefix && { tablePrefix }) });
    }
    case "redis":
      return createRedisSink({ url: specification.url, ...(specification.key && { key: specification.key }) });
    case "nats":
      return createNatsSink({ servers: specification.servers, ...(specification.subject && { subject: specification.subject }) });
    case "http":
      return createHttpSink({
        url: specification.url,
        secret: httpSinkSecrets(context),
        format: specification.format,
        name: sinkNameOf(specification),
      });
  }
}

/** One sink per specification, each under its own name. Sinks connect on their first delivery. */
export function sinksFromConfiguration(specifications: readonly SinkSpecification[], context: SinkContext = {}): FriendEventSink[] {
  return specifications.map((specification) => renamed(createSink(specification, context), sinkNameOf(specification)));
}
