import { type Parsed, parsed, problem } from "./setting-parsers";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/** FRIENDHOOK_RETENTION when unset. */
export const defaultRetentionMs = 30 * day;

/** FRIENDHOOK_DEDUPLICATION_WINDOW when unset: the receiver's own default. */
export const defaultDeduplicationWindowMs = 10 * minute;

const units: Readonly<Record<string, number>> = { s: second, m: minute, h: hour, d: day };
const shortestDurationMs = second;
const longestDurationMs = 3650 * day;

/**
 * A duration as the retention variables take it: a whole number and one unit, `90s`, `15m`, `12h`,
 * `30d`. Nothing else (no bare number, no `1.5h`, no `1h30m`): a retention read wrongly deletes data.
 */
export function parseDuration(text: string): Parsed<number> {
  const match = /^(\d{1,7})([smhd])$/.exec(text);
  const value = match ? Number(match[1]) * (units[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
  if (!(value >= shortestDurationMs && value <= longestDurationMs)) {
    return problem(`must be a whole number and a unit, s, m, h or d (90s, 15m, 12h, 30d), from 1s to 3650d (got "${text.slice(0, 20)}")`);
  }
  return parsed(value);
}

export interface RetentionConfiguration {
  /** How long events and callbacks are kept once every sink has them. */
  readonly retentionMs: number;
  /** How long a dead letter (and its event) is kept unless replayed. */
  readonly deadLetterRetentionMs: number;
  /** How long a copy of a callback is still recognized as a duplicate. */
  readonly deduplicationWindowMs: number;
}

export interface RetentionVariables {
  readonly FRIENDHOOK_RETENTION?: number | undefined;
  readonly FRIENDHOOK_DEAD_LETTER_RETENTION?: number | undefined;
  readonly FRIENDHOOK_DEDUPLICATION_WINDOW?: number | undefined;
}

/** The settings given, when any is; `effectiveRetention` tells what applies. */
export function retentionOf(environment: RetentionVariables): Partial<RetentionConfiguration> | undefined {
  const given = {
    ...(environment.FRIENDHOOK_RETENTION !== undefined && { retentionMs: environment.FRIENDHOOK_RETENTION }),
    ...(environment.FRIENDHOOK_DEAD_LETTER_RETENTION !== undefined && { deadLetterRetentionMs: environment.FRIENDHOOK_DEAD_LETTER_RETENTION }),
    ...(environment.FRIENDHOOK_DEDUPLICATION_WINDOW !== undefined && { deduplicationWindowMs: environment.FRIENDHOOK_DEDUPLICATION_WINDOW }),
  };
  return Object.keys(given).length > 0 ? given : undefined;
}

/** The settings in force: the defaults for those not given, and dead letters kept as long as events unless told otherwise. */
export function effectiveRetention(given: Partial<RetentionConfiguration> = {}): RetentionConfiguration {
  const retentionMs = given.retentionMs ?? defaultRetentionMs;
  return {
    retentionMs,
    deadLetterRetentionMs: given.deadLetterRetentionMs ?? retentionMs,
    deduplicationWindowMs: given.deduplicationWindowMs ?? defaultDeduplicationWindowMs,
  };
}

/**
 * The receiver's options for a configuration: pruning looks again a tenth of the retention after it
 * found nothing left (between a second and a minute), so that with a short retention the store
 * holds little more than the retention's worth.
 */
export function receiverRetentionOptions(given?: Partial<RetentionConfiguration>) {
  const retention = effectiveRetention(given);
  return {
    retention: {
      eventsMs: retention.retentionMs,
      deadLettersMs: retention.deadLetterRetentionMs,
      intervalMs: Math.min(minute, Math.max(second, Math.round(retention.retentionMs / 10))),
    },
    deduplicationWindowMs: retention.deduplicationWindowMs,
  };
}
