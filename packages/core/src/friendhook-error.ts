import { type FriendhookErrorCode, statusForErrorCode } from "./error-codes";

export interface FriendhookErrorOptions {
  cause?: unknown;
  /** Which provider adapter raised it, when one did. */
  provider?: string;
}

/**
 * The mark every `FriendhookError` carries. An application can load two copies of a package (the
 * CommonJS build through `require` and the ES build through `import`), each with its own class, so
 * errors are recognized by this mark, which both copies share through the global symbol registry,
 * rather than by their class.
 */
const friendhookErrorBrand = Symbol.for("friendhook.error");

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

  static {
    // On the prototype, so that it shows in no log line and no JSON; not a declared member, so that
    // the declarations of the two builds (index.d.ts, index.d.cts) stay interchangeable.
    Object.defineProperty(this.prototype, friendhookErrorBrand, { value: true });
  }

  constructor(code: FriendhookErrorCode, message: string, options: FriendhookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = statusForErrorCode(code);
    this.provider = options.provider;
  }

  /** `instanceof FriendhookError` recognizes the errors of every copy; a subclass keeps the usual rule. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === FriendhookError ? isFriendhookError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }

  toJSON(): { error: { code: FriendhookErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Whether `value` is a `FriendhookError`, made by this copy of `@friendhook/core` or by any other. */
export function isFriendhookError(value: unknown): value is FriendhookError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[friendhookErrorBrand] === true;
}
