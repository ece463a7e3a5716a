import { type Delivery, type DeliveryFailure, deliverToSink, deliveryOrderKey, type FriendEventSink, SinkError, isSinkError } from "@friendhook/core";
import { planDeliveryFailure, requestedRetryDelayMs, type RetrySchedule } from "./retry-schedule";

export interface DeliveryRoundSettings extends RetrySchedule {
  readonly batchSize: number;
  readonly leaseMs: number;
}

/** A delivery this worker holds a lease on. */
export interface LeasedDelivery {
  readonly delivery: Delivery;
  /** Epoch milliseconds at which the store's lease runs out. */
  readonly leasedUntil: number;
}

/** A delivery kept leased between rounds: an earlier delivery of its user pair failed and is retried first. */
export interface HeldDelivery extends LeasedDelivery {
  /** The failed delivery it waits for. */
  readonly behind: string;
}

/** One `deliver` call. */
export interface SinkCall {
  readonly events: number;
  delivered: number;
  deadLettered: number;
  /** The first failure of the call, if any. */
  error?: unknown;
  readonly durationMs: number;
}

/**
 * Shared by rounds that run side by side for one sink: once one of them stops (the sink asked to
 * wait, or failed for several events in a row), the others end after the call in hand.
 */
export interface RoundHalt {
  halted: boolean;
}

export interface DeliveryRoundInput {
  readonly sink: FriendEventSink;
  readonly settings: DeliveryRoundSettings;
  readonly now: () => number;
  /** Just claimed, in stored order. */
  readonly claimed: readonly LeasedDelivery[];
  /** Kept from earlier rounds. */
  readonly held: readonly HeldDelivery[];
  /** Shared with the rounds that run beside this one, if any. */
  readonly halt?: RoundHalt;
}

export interface DeliveryRoundResult {
  /** Delivery ids the sink stored. */
  readonly delivered: readonly string[];
  /** One per delivery charged an attempt: retried later, or dead-lettered. */
  readonly failures: readonly DeliveryFailure[];
  /** To hand to the next round. */
  readonly held: readonly HeldDelivery[];
  readonly calls: readonly SinkCall[];
  /** Set when the round ended early: the sink asked to wait, or failed for several events in a row. */
  readonly stoppedBy?: unknown;
}

/**
 * After this many failures of single events in a row, with nothing stored between them, the sink
 * is taken to be failing as a whole (down, misconfigured): splitting further would only hammer it.
 */
export const failuresInARowBeforeStopping = 3;

const isPermanent = (error: unknown) => isSinkError(error) && error.permanent;

/**
 * A failure of a call with several events, charged to each of them: retrying may help the ones it
 * was not about, so it never dead-letters one at once, whatever the sink said.
 */
function asFailureOfTheBatch(error: unknown): unknown {
  if (!isPermanent(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SinkError(message, { cause: error });
}

/**
 * Delivers one claimed batch so that one bad event cannot take the others down:
 *
 * - A batch the sink fails as a whole is split in two, the first half first, down to single
 *   events, until the events that fail are found. An event is charged an attempt only when it
 *   failed alone, when the sink reported it failed, or when the round stops (below) after a call
 *   that included it failed. Events the sink did not attempt are delivered again, uncharged.
 * - A failed event holds back the later events of its user pair (`deliveryOrderKey`), uncharged:
 *   they stay leased and go as soon as a later round stores or dead-letters it (until half their
 *   lease is spent; then the store hands them out again once the lease has run out).
 * - A permanent failure dead-letters only its own event; its pair goes on.
 * - The round stops when the sink asks to wait (`retryAfterMs`), when it failed for
 *   `failuresInARowBeforeStopping` events in a row, or when half the lease is spent. Each event
 *   still in hand that was part of a failed call is then charged that failure; the others stay
 *   leased, uncharged, until the store hands them out again.
 */
export async function deliverRound(input: DeliveryRoundInput): Promise<DeliveryRoundResult> {
  const { sink, settings, now } = input;
  const keyOf = (item: LeasedDelivery) => deliveryOrderKey(item.delivery.event);
  const idOf = (item: LeasedDelivery) => item.delivery.deliveryId;
  const leaseAllows = (item: LeasedDelivery) => item.leasedUntil - now() >= settings.leaseMs / 2;
  const asksToWait = (error: unknown) => requestedRetryDelayMs(error, settings) !== undefined;

  // Not settled yet, in stored order per pair.
  const open = new Map<string, LeasedDelivery>();
  // Order key → the delivery whose failure holds back the pair's later deliveries.
  const blockers = new Map<string, string>();
  // Failed delivery id → deliveries kept from earlier rounds that wait for it.
  const waiting = new Map<string, HeldDelivery[]>();
  // Delivery id → the error of the last call that failed as a whole with it.
  const batchErrors = new Map<string, unknown>();
  // Segments still to deliver; the next one is last.
  const segments: LeasedDelivery[][] = [];
  const delivered: string[] = [];
  const failures: DeliveryFailure[] = [];
  const calls: SinkCall[] = [];
  let failuresInARow = 0;
  let stopped = false;
  let stoppedBy: unknown;

  const pushInBatches = (items: readonly LeasedDelivery[]) => {
    for (let start = Math.floor((items.length - 1) / settings.batchSize) * settings.batchSize; start >= 0; start -= settings.batchSize) {
      segments.push(items.slice(start, start + settings.batchSize));
    }
  };

  const claimedIds = new Set(input.claimed.map(idOf));
  for (const item of input.held) {
    if (claimedIds.has(idOf(item))) continue;
    waiting.set(item.behind, [...(waiting.get(item.behind) ?? []), item]);
  }
  for (const item of input.claimed) open.set(idOf(item), item);
  pushInBatches(input.claimed);

  /** The delivery is settled for good: what waited for it may go. */
  const release = (deliveryId: string) => {
    const released = waiting.get(deliveryId);
    if (!released) return;
    waiting.delete(deliveryId);
    for (const item of released) open.set(idOf(item), item);
    pushInBatches(released);
  };

  const stop = (error: unknown) => {
    stopped = true;
    stoppedBy = error;
    if (input.halt) input.halt.halted = true;
  };

  const charge = (item: LeasedDelivery, error: unknown, call: SinkCall | undefined) => {
    open.delete(idOf(item));
    const failure = planDeliveryFailure(item.delivery, error, settings, now());
    failures.push(failure);
    if ("deadLetter" in failure) {
      if (call) call.deadLettered += 1;
      release(idOf(item));
    } else {
      blockers.set(keyOf(item), idOf(item));
    }
  };

  const settleFailure = (item: LeasedDelivery, error: unknown, call: SinkCall) => {
    call.error ??= error;
    charge(item, error, call);
    if (!isPermanent(error)) failuresInARow += 1;
    if (asksToWait(error) || failuresInARow >= failuresInARowBeforeStopping) stop(error);
  };

  const settleDelivered = (item: LeasedDelivery, call: SinkCall) => {
    open.delete(idOf(item));
    delivered.push(idOf(item));
    call.delivered += 1;
    failuresInARow = 0;
    release(idOf(item));
  };

  while (!stopped && !input.halt?.halted) {
    const segment = segments.pop();
    if (!segment) break;
    const batch = segment.filter((item) => open.has(idOf(item)) && !blockers.has(keyOf(item)) && leaseAllows(item));
    if (batch.length === 0) continue;
    const startedAt = performance.now();
    const report = await deliverToSink(
      sink,
      batch.map((item) => item.delivery.event),
      { sequences: batch.map((item) => item.delivery.sequence) },
    );
    const call: SinkCall = { events: batch.length, delivered: 0, deadLettered: 0, durationMs: performance.now() - startedAt };
    calls.push(call);

    if (report.batchError !== undefined) {
      call.error = report.batchError;
      for (const item of batch) batchErrors.set(idOf(item), report.batchError);
      const [only] = batch;
      if (batch.length === 1 && only) {
        settleFailure(only, report.batchError, call);
      } else if (asksToWait(report.batchError)) {
        stop(report.batchError);
      } else {
        const middle = Math.ceil(batch.length / 2);
        segments.push(batch.slice(middle), batch.slice(0, middle));
      }
      continue;
    }

    const notAttempted: LeasedDelivery[] = [];
    report.outcomes.forEach((outcome, index) => {
      const item = batch[index] as LeasedDelivery;
      if (outcome.status === "delivered") settleDelivered(item, call);
      else if (outcome.status === "failed") settleFailure(item, outcome.error, call);
      else notAttempted.push(item);
    });
    if (notAttempted.length > 0) segments.push(notAttempted);
  }

  const held: HeldDelivery[] = [];
  const lastCall = calls.at(-1);
  for (const item of open.values()) {
    const blocker = blockers.get(keyOf(item));
    if (blocker !== undefined) {
      if (leaseAllows(item)) held.push({ ...item, behind: blocker });
      continue;
    }
    const batchError = batchErrors.get(idOf(item));
    // Never part of a failed call: its lease runs out, and the store hands it out again.
    if (batchError === undefined) continue;
    charge(item, asFailureOfTheBatch(stopped && asksToWait(stoppedBy) ? stoppedBy : batchError), lastCall);
  }
  for (const items of waiting.values()) held.push(...items.filter(leaseAllows));

  return { delivered, failures, held, calls, ...(stopped ? { stoppedBy } : {}) };
}
