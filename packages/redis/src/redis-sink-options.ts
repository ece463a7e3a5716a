import type { FriendEvent } from "@friendhook/core";
import { z } from "zod";

/**
 * What the sink needs of a client: node-redis's `createClient()` (version 4 or later) is one. The
 * sink sends raw commands so that a client with any modules or scripts of its own fits.
 */
export interface RedisCommandClient {
  readonly isOpen: boolean;
  sendCommand(args: readonly string[], options?: { timeout?: number }): Promise<unknown>;
}

function isCommandClient(value: unknown): value is RedisCommandClient {
  return typeof value === "object" && value !== null && typeof (value as RedisCommandClient).sendCommand === "function";
}

export const RedisSinkOptionsSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\//, "Expected a redis:// or rediss:// URL")
      .optional()
      .describe("The sink opens, reconnects and closes its own client."),
    client: z
      .custom<RedisCommandClient>(isCommandClient, { message: "Expected a node-redis client" })
      .optional()
      .describe("A connected client the application owns; the sink never closes it."),
    key: z
      .union([z.string().min(1), z.custom<(event: FriendEvent) => string>((value) => typeof value === "function")])
      .default("friendhook:{provider}:{appId}")
      .describe("The stream key: a template with {provider}, {appId} and {type}, or a function of the event."),
    maxLength: z.number().int().positive().default(100_000).describe("Trim each stream to about this many entries (MAXLEN ~)."),
    dedupeTtlSeconds: z
      .number()
      .int()
      .positive()
      .default(604_800)
      .describe("How long the sink remembers a stored event id; a copy delivered later is appended again."),
    clientName: z.string().regex(/^\S+$/, "Expected no spaces").default("friendhook").describe("Shown by CLIENT LIST."),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    commandTimeoutMs: z.number().int().positive().default(10_000),
  })
  .refine((options) => (options.url === undefined) !== (options.client === undefined), {
    message: "Give exactly one of url and client",
  });

export type RedisSinkOptions = z.input<typeof RedisSinkOptionsSchema>;
