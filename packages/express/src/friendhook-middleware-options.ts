import { defaultBodyLimitBytes, defaultBodyTimeoutMs } from "@friendhook/receiver";
import { z } from "zod";

export const FriendhookMiddlewareOptionsSchema = z.strictObject({
  /** The route name of the adapter, a key of the receiver's `adapters`. */
  adapter: z.string().min(1, "name the adapter this route serves"),
  /** The largest accepted body; larger ones get 413 `body_too_large`. */
  bodyLimitBytes: z.int().min(1).default(defaultBodyLimitBytes),
  /** The whole body must arrive within this time, or the client gets 408 `request_timeout`. */
  bodyTimeoutMs: z.int().min(1).default(defaultBodyTimeoutMs),
});

export type FriendhookMiddlewareOptions = z.input<typeof FriendhookMiddlewareOptionsSchema>;
