import type { FriendEvent } from "@friendhook/core";
import type { NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import { subjectFilterOf } from "./subject";

function isConnection(value: unknown): value is NatsConnection {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as NatsConnection).publish === "function" &&
    typeof (value as NatsConnection).request === "function"
  );
}

export const NatsSinkOptionsSchema = z
  .strictObject({
    servers: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe("Server addresses, e.g. nats://127.0.0.1:4222. The sink opens, reconnects and closes its own connection."),
    connection: z
      .custom<NatsConnection>(isConnection, { message: "Expected a NATS connection" })
      .optional()
      .describe("A connection the application owns (for credentials, TLS and the like); the sink never closes it."),
    subject: z
      .union([z.string().min(1), z.custom<(event: FriendEvent) => string>((value) => typeof value === "function")])
      .default("friendhook.{provider}.{type}")
      .describe("A template with {provider}, {appId} and {type} (each safely encoded), or a function of the event."),
    timeoutMs: z.number().int().positive().default(10_000).describe("How long to wait for each publish acknowledgement."),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    connectionName: z.string().min(1).default("friendhook").describe("Shown in the server's connection list."),
    createStream: z
      .strictObject({
        name: z.string().regex(/^[^\s.*>/\\]+$/, "Expected a stream name without spaces, dots, *, > or slashes"),
        subjects: z.array(z.string().min(1)).min(1).optional(),
      })
      .optional()
      .describe(
        "Create this stream (file storage, the server's default limits) before the first publish when it does not exist. " +
          "Its subjects default to the template's fixed leading tokens followed by >; an existing stream is left as it is.",
      ),
  })
  .refine((options) => (options.servers === undefined) !== (options.connection === undefined), {
    message: "Give exactly one of servers and connection",
  })
  .refine((options) => options.createStream?.subjects !== undefined || options.createStream === undefined || subjectFilterOf(options.subject) !== undefined, {
    message: "Give createStream.subjects: the subjects of a subject function, or of a template that starts with a placeholder, cannot be known in advance",
    path: ["createStream", "subjects"],
  });

export type NatsSinkOptions = z.input<typeof NatsSinkOptionsSchema>;
