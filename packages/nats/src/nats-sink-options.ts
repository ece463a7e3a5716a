import type { FriendEvent } from "@friendhook/core";
import type { NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";

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
  })
  .refine((options) => (options.servers === undefined) !== (options.connection === undefined), {
    message: "Give exactly one of servers and connection",
  });

export type NatsSinkOptions = z.input<typeof NatsSinkOptionsSchema>;
