import { z } from "zod";

/** Ten minutes: see `deduplicationWindowMs`. */
export const defaultDeduplicationWindowMs = 600_000;

/**
 * What the receiver keeps, and for how long. Absent: it keeps everything (a library cannot guess
 * how long an application needs its events). The example app turns it on with 30 days.
 */
export const RetentionOptionsSchema = z.strictObject({
  /** How long an event (and the callback it came from) is kept once every sink has it, counted from its `receivedAt`. */
  eventsMs: z.int().min(1000),
  /** How long a dead letter, and so its event, is kept unless replayed; counted from when it was dead-lettered. */
  deadLettersMs: z.int().min(1000),
  /** Rows of each kind removed per round: small, so that no round holds the store for long. */
  batchSize: z.int().min(1).max(10_000).default(500),
  /** The pause between two rounds while there is more to remove: callbacks and deliveries run meanwhile. */
  pauseMs: z.int().min(0).default(50),
  /** How often pruning looks again once nothing was left to remove. */
  intervalMs: z.int().min(10).default(60_000),
});

export type RetentionOptions = z.input<typeof RetentionOptionsSchema>;
export type ResolvedRetentionOptions = z.output<typeof RetentionOptionsSchema>;
