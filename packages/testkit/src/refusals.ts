import { FriendhookError } from "@friendhook/core";

/**
 * The `FriendhookError` a promise rejects with, for asserting a refusal's code and status. It
 * throws when the promise resolves (nothing was refused) or rejects with anything else (a crash,
 * which no adapter, store or sink may answer bad input with).
 */
export async function refusalOf(promise: Promise<unknown>): Promise<FriendhookError> {
  let outcome: { error: unknown } | undefined;
  try {
    await promise;
  } catch (error) {
    outcome = { error };
  }
  return refusalFrom(outcome);
}

/** The `FriendhookError` an action throws (a constructor refusing its options, a head check); as `refusalOf`. */
export function refusalThrownBy(action: () => unknown): FriendhookError {
  let outcome: { error: unknown } | undefined;
  try {
    action();
  } catch (error) {
    outcome = { error };
  }
  return refusalFrom(outcome);
}

function refusalFrom(outcome: { error: unknown } | undefined): FriendhookError {
  if (outcome === undefined) throw new Error("expected a refusal (a FriendhookError), but nothing was refused");
  if (outcome.error instanceof FriendhookError) return outcome.error;
  throw outcome.error;
}
