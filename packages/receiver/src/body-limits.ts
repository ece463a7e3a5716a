import { FriendhookError } from "@friendhook/core";
import { type BodyLease, bodyBudgetExceeded } from "./body-budget";

export const defaultBodyLimitBytes = 1024 * 1024;
export const defaultBodyTimeoutMs = 10_000;

/** How a handler reads one request body; the same for a Web stream and a Node stream. */
export interface ReadBodyOptions {
  /** The largest accepted body. */
  readonly limitBytes: number;
  /** The whole body must arrive within this time. */
  readonly timeoutMs: number;
  /** The request's Content-Length header, checked before anything is read. */
  readonly contentLength?: string | undefined;
  /**
   * Counts the bytes against the receiver's `bodyBudget` as they arrive (`receiver.bodyBudget.lease()`);
   * the caller releases it once the callback is answered. A body that does not fit is refused with
   * `receiver_busy` (503): at once when its Content-Length does not fit, else at the chunk that does not.
   */
  readonly lease?: BodyLease | undefined;
}

export function bodyTooLarge(limitBytes: number): FriendhookError {
  return new FriendhookError("body_too_large", `The request body is larger than the limit of ${limitBytes} bytes.`);
}

export function bodyTimedOut(timeoutMs: number): FriendhookError {
  return new FriendhookError("request_timeout", `The request body did not arrive within ${timeoutMs} ms.`);
}

/** What the head's Content-Length already rules out: over the limit, or more than the budget has free. */
export function checkDeclaredLength(options: ReadBodyOptions): FriendhookError | undefined {
  if (options.contentLength === undefined) return undefined;
  const declared = Number(options.contentLength);
  if (!Number.isFinite(declared)) return undefined;
  if (declared > options.limitBytes) return bodyTooLarge(options.limitBytes);
  if (options.lease && !options.lease.fits(declared)) return bodyBudgetExceeded(options.lease);
  return undefined;
}

/** The chunks of one body as they arrive, within the limit and the budget. */
export interface BodyCollector {
  /** Keeps `chunk`; the refusal instead when it would pass the limit or does not fit the budget. */
  add(chunk: Uint8Array): FriendhookError | undefined;
  /** The body: the one chunk as it came (no copy), or the chunks joined. */
  bytes(): Uint8Array;
}

export function createBodyCollector(options: ReadBodyOptions): BodyCollector {
  const chunks: Uint8Array[] = [];
  let received = 0;
  return {
    add(chunk) {
      received += chunk.byteLength;
      if (received > options.limitBytes) return bodyTooLarge(options.limitBytes);
      if (options.lease && !options.lease.take(chunk.byteLength)) return bodyBudgetExceeded(options.lease);
      chunks.push(chunk);
      return undefined;
    },
    bytes() {
      if (chunks.length === 1) return chunks[0] as Uint8Array;
      const body = new Uint8Array(received);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return body;
    },
  };
}
