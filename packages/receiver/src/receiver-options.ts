import type { FriendEventSink, ProviderAdapterV1 } from "@friendhook/core";
import { z } from "zod";
import { defaultMaximumBodyBytesInFlight } from "./body-budget";
import { hasMethods } from "./has-methods";
import type { ReceiverLogger } from "./receiver-logger";
import type { ReceiverObserver } from "./receiver-observer";
import type { FriendEventStore } from "@friendhook/core";
import { defaultDeduplicationWindowMs, RetentionOptionsSchema } from "./retention/retention-options";

const storeMethods = [
  "append",
  "listEvents",
  "claimDeliveries",
  "completeDeliveries",
  "failDeliveries",
  "listDeadLetters",
  "replayDeadLetters",
  "countDeliveries",
  "listUnrecognized",
  "readCallback",
  "friendsOf",
  "prune",
  "measure",
  "close",
] as const;

const AdapterSchema = z.custom<ProviderAdapterV1>(
  (value) => hasMethods("receive", "refuse")(value) && (value as ProviderAdapterV1).specificationVersion === "v1",
  "an adapter must implement ProviderAdapterV1 (specificationVersion \"v1\", receive, refuse)",
);

const SinkSchema = z.custom<FriendEventSink>(
  (value) => hasMethods("deliver")(value) && typeof (value as FriendEventSink).name === "string" && (value as FriendEventSink).name.length > 0,
  "a sink must implement FriendEventSink (a name and deliver)",
);

export const DeliveryOptionsSchema = z
  .strictObject({
    /** Attempts per delivery before it goes to the dead letters. */
    maximumAttempts: z.int().min(1).max(1000).default(10),
    /** The wait after the first failure; it doubles with each further failure. */
    initialBackoffMs: z.int().min(0).default(1000),
    /** The longest wait between two attempts. */
    maximumBackoffMs: z.int().min(0).default(600_000),
    /** Events per `deliver` call. */
    batchSize: z.int().min(1).max(1000).default(100),
    /**
     * `deliver` calls in flight at once per sink, each with user pairs of its own (a pair's events
     * always go one call after another). A worker claims this many batches at once.
     */
    batchesInFlight: z.int().min(1).max(64).default(4),
    /** How often an idle sink worker looks for due deliveries (new callbacks wake it at once). */
    pollIntervalMs: z.int().min(1).default(1000),
    /** How long a claimed batch stays hidden from other workers; longer than any `deliver` call. */
    leaseMs: z.int().min(100).default(30_000),
  })
  .refine((delivery) => delivery.initialBackoffMs <= delivery.maximumBackoffMs, {
    message: "initialBackoffMs must not exceed maximumBackoffMs",
    path: ["initialBackoffMs"],
  });

export const ReceiverOptionsSchema = z.strictObject({
  /** Route name → adapter. The name is what `handle` and the framework shells are given. */
  adapters: z.record(z.string().regex(/^\S+$/, "a route name has no spaces"), AdapterSchema).refine(
    (adapters) => Object.keys(adapters).length > 0,
    "name at least one adapter",
  ),
  store: z.custom<FriendEventStore>(hasMethods(...storeMethods), `the store must implement FriendEventStore (${storeMethods.join(", ")})`),
  sinks: z
    .array(SinkSchema)
    .default([])
    .refine((sinks) => new Set(sinks.map((sink) => sink.name)).size === sinks.length, "every sink needs its own name"),
  delivery: DeliveryOptionsSchema.prefault({}),
  /** What is kept and how long; absent, everything is kept. See `RetentionOptionsSchema`. */
  retention: RetentionOptionsSchema.optional(),
  /**
   * How long a retry of a callback, or the same callback sent to another instance, is still
   * recognized as a duplicate: the store keeps every event at least this long after it was
   * received. Adapters whose signatures bound how late a copy can come (Easemob) widen it to fit
   * (`ProviderAdapterV1.deduplicationWindowMs`). A copy that comes later is stored again, under
   * the same event id.
   */
  deduplicationWindowMs: z.int().min(0).default(defaultDeduplicationWindowMs),
  /**
   * Keep the body of every recognized callback, once per callback, linked from its events (for an
   * operator to see where an event came from). Unrecognized callbacks are kept either way. Off saves
   * the body's bytes: events then link to no callback.
   */
  keepRecognizedCallbacks: z.boolean().default(true),
  /** The request-body bytes in memory at once across all requests; past it, `receiver_busy` (503). See `bodyBudget`. */
  maximumBodyBytesInFlight: z.int().min(1).default(defaultMaximumBodyBytesInFlight),
  logger: z.custom<ReceiverLogger>(hasMethods("debug", "info", "warn", "error"), "the logger needs debug, info, warn and error (pino fits)").optional(),
  observer: z.custom<ReceiverObserver>((value) => value !== null && typeof value === "object", "the observer must be an object of hooks").optional(),
  /** The clock, for tests. */
  now: z.custom<() => number>((value) => typeof value === "function", "now must be a function returning epoch milliseconds").optional(),
});

export type ReceiverOptions = z.input<typeof ReceiverOptionsSchema>;
export type DeliveryOptions = z.input<typeof DeliveryOptionsSchema>;
export type ResolvedDeliveryOptions = z.output<typeof DeliveryOptionsSchema>;
