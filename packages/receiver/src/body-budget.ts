import { FriendhookError } from "@friendhook/core";

/**
 * 64 MiB: 64 bodies at the default body limit of 1 MiB, or thousands of ordinary callbacks (a few
 * kilobytes each) at once.
 */
export const defaultMaximumBodyBytesInFlight = 64 * 1024 * 1024;

/**
 * The bytes one request body holds against the budget, from its first byte until `release`. A
 * shell takes each chunk as it arrives and releases the lease once the callback is answered.
 */
export interface BodyLease {
  /** The budget's size, for messages. */
  readonly maximumBytes: number;
  /** Whether `bytes` more would fit now; nothing is counted. */
  fits(bytes: number): boolean;
  /** Counts `bytes` more; false, and nothing counted, when they do not fit. */
  take(bytes: number): boolean;
  /** Gives back every byte this lease took; later calls do nothing. */
  release(): void;
}

/**
 * The request-body bytes in memory at once, across every request of one receiver: bodies being
 * read, and bodies whose callbacks are being handled. Slow uploads then cost bounded memory; the
 * request whose bytes do not fit is answered `receiver_busy` (503) and the provider retries.
 */
export interface BodyBudget {
  readonly maximumBytes: number;
  /** Bytes taken by leases not yet released. */
  readonly bytesInFlight: number;
  lease(): BodyLease;
}

export function createBodyBudget(maximumBytes: number): BodyBudget {
  let bytesInFlight = 0;
  return {
    maximumBytes,
    get bytesInFlight() {
      return bytesInFlight;
    },
    lease() {
      let taken = 0;
      let released = false;
      const fits = (bytes: number) => !released && bytesInFlight + bytes <= maximumBytes;
      return {
        maximumBytes,
        fits,
        take(bytes) {
          if (!fits(bytes)) return false;
          bytesInFlight += bytes;
          taken += bytes;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          bytesInFlight -= taken;
          taken = 0;
        },
      };
    },
  };
}

/** The refusal when a body does not fit the budget: 503, so that the provider retries shortly. */
export function bodyBudgetExceeded(lease: BodyLease): FriendhookError {
  return new FriendhookError(
    "receiver_busy",
    `The receiver holds as many request bodies as its budget of ${lease.maximumBytes} bytes allows; retry shortly.`,
  );
}
