import { type Delivery, type DeliveryFailure, isSinkError } from "@friendhook/core";

export interface RetrySchedule {
  readonly maximumAttempts: number;
  readonly initialBackoffMs: number;
  readonly maximumBackoffMs: number;
}

/** ±20 % around the exponential delay, so that retries of many pairs do not arrive in lockstep. */
const jitterSpread = 0.2;

/** The wait before the next attempt after `failedAttempts` failures (1 or more). */
export function retryDelayMs(failedAttempts: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const exponential = Math.min(schedule.maximumBackoffMs, schedule.initialBackoffMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = exponential * (1 - jitterSpread + 2 * jitterSpread * random());
  return Math.round(Math.min(schedule.maximumBackoffMs, jittered));
}

/** A short, single-line description of why a delivery failed, for the dead letters and logs. */
export function describeDeliveryError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.replace(/\s+/g, " ").slice(0, 500);
}

/**
 * The wait a sink's server asked for (`SinkError.retryAfterMs`), or `undefined` when it asked for
 * none that can be used (absent, negative, not a number). Capped at the longest backoff: a server
 * that asks for years (or Infinity) must not keep a delivery from ever being retried or dead-lettered.
 */
export function requestedRetryDelayMs(error: unknown, schedule: RetrySchedule): number | undefined {
  const requested = isSinkError(error) ? error.retryAfterMs : undefined;
  if (typeof requested !== "number" || Number.isNaN(requested) || requested < 0) return undefined;
  return Math.round(Math.min(requested, schedule.maximumBackoffMs));
}

/**
 * What becomes of one delivery whose attempt failed: a `SinkError` marked permanent, or the last
 * allowed attempt, sends it to the dead letters; otherwise it is retried after the backoff, or
 * after the wait the sink's server asked for (`retryAfterMs`, at most `maximumBackoffMs`).
 */
export function planDeliveryFailure(
  delivery: Delivery,
  error: unknown,
  schedule: RetrySchedule,
  now: number,
  random: () => number = Math.random,
): DeliveryFailure {
  const failedAttempts = delivery.attempts + 1;
  const description = describeDeliveryError(error);
  const sinkError = isSinkError(error) ? error : undefined;
  if (sinkError?.permanent || failedAttempts >= schedule.maximumAttempts) {
    return { deliveryId: delivery.deliveryId, error: description, deadLetter: true };
  }
  const delayMs = requestedRetryDelayMs(error, schedule) ?? retryDelayMs(failedAttempts, schedule, random);
  return { deliveryId: delivery.deliveryId, error: description, retryAt: now + delayMs };
}
