import { brandErrorClass } from "./error-brand";
import { type FriendhookErrorCode, statusForErrorCode } from "./error-codes";

export interface FriendhookErrorOptions {
  cause?: unknown;
  /** Which provider adapter raised it, when one did. */
  provider?: string;
}

/**
 * The one error type of friendhook: a stable `code`, the HTTP `status` that goes with it, and a
 * message that says what to fix. Messages never contain secrets or signatures.
 *
 * Recognize one with `isFriendhookError(value)`; `value instanceof FriendhookError` answers the same,
 * for errors made by any copy of `@friendhook/core`.
 */
export class FriendhookError extends Error {
  override readonly name = "FriendhookError";
  readonly code: FriendhookErrorCode;
  readonly status: number;
  readonly provider: string | undefined;

  constructor(code: FriendhookErrorCode, message: string, options: FriendhookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = statusForErrorCode(code);
    this.provider = options.provider;
  }

  toJSON(): { error: { code: FriendhookErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

const isBrandedFriendhookError = brandErrorClass(FriendhookError, "friendhook.error");

/** Whether `value` is a `FriendhookError`, made by this copy of `@friendhook/core` or by any other (see `brandErrorClass`). */
export function isFriendhookError(value: unknown): value is FriendhookError {
  return isBrandedFriendhookError(value);
}
