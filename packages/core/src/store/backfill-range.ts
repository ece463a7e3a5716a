import { FriendhookError } from "../friendhook-error";
import type { Backfill, BeginBackfillInput } from "./friend-event-store";

/** Sequences and names every store accepts alike: a bad one is the caller's mistake (`invalid_payload`). */
export function checkBackfillInput(input: BeginBackfillInput): void {
  for (const [name, value] of [
    ["fromSequence", input.fromSequence],
    ["toSequence", input.toSequence],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new FriendhookError("invalid_payload", `A backfill's ${name} must be a whole number, 0 or more.`);
    }
  }
  if (input.fromSequence !== undefined && input.toSequence !== undefined && input.fromSequence > input.toSequence) {
    throw new FriendhookError("invalid_payload", "A backfill's fromSequence must not be after its toSequence.");
  }
  if (input.sink === "" || input.name === "") throw new FriendhookError("invalid_payload", "A backfill needs a sink and a name.");
}

/**
 * The range a backfill begins with, given the first and last sequences stored now (undefined when
 * nothing is): from the earliest retained event when `fromSequence` is absent, to the last stored
 * one at most. Nothing to enqueue (`nextSequence` undefined) when the range holds no stored event.
 */
export function beginBackfillRange(
  input: BeginBackfillInput,
  stored: { readonly first: number | undefined; readonly last: number | undefined },
): Omit<Backfill, "sink" | "name" | "enqueued"> {
  const fromSequence = input.fromSequence ?? stored.first ?? 0;
  const toSequence = Math.min(input.toSequence ?? Number.MAX_SAFE_INTEGER, stored.last ?? 0);
  return { fromSequence, toSequence, nextSequence: fromSequence <= toSequence ? fromSequence : undefined };
}

/** Where a backfill goes on after a batch that looked at events up to `lastLookedAt`: undefined when done. */
export function nextBackfillSequence(backfill: Pick<Backfill, "toSequence">, batch: { readonly looked: number; readonly limit: number; readonly lastLookedAt: number | undefined }): number | undefined {
  if (batch.looked < batch.limit || batch.lastLookedAt === undefined || batch.lastLookedAt >= backfill.toSequence) return undefined;
  return batch.lastLookedAt + 1;
}

/** A batch's size as a store takes it: at least 1, at most 10,000 events. */
export function resolveBackfillLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 1000;
  return Math.min(10_000, Math.max(1, Math.floor(limit)));
}
