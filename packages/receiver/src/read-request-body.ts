import type { Readable } from "node:stream";
import { FriendhookError } from "@friendhook/core";
import { type BodyLease, bodyBudgetExceeded } from "./body-budget";
import { scheduleReadDeadline } from "./read-deadlines";

export const defaultBodyLimitBytes = 1024 * 1024;
export const defaultBodyTimeoutMs = 10_000;

export interface ReadRequestBodyOptions {
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
  readonly lease?: BodyLease;
}

function tooLarge(limitBytes: number): FriendhookError {
  return new FriendhookError("body_too_large", `The request body is larger than the limit of ${limitBytes} bytes.`);
}

/**
 * Reads a Node request body into bytes exactly as sent, enforcing the size limit from the
 * Content-Length header up front and again while streaming (a chunked body has no length), the
 * budget of bytes in flight when given a lease, and a deadline for slow clients. Every failure is a
 * `FriendhookError` (413, 503, 408 or 400); nothing throws otherwise. Once refused, the rest of the
 * body is drained, not buffered, so the answer can be read.
 */
export function readRequestBody(stream: Readable, options: ReadRequestBodyOptions): Promise<Uint8Array> {
  const declaredLength = options.contentLength === undefined ? undefined : Number(options.contentLength);
  if (declaredLength !== undefined && Number.isFinite(declaredLength) && declaredLength > options.limitBytes) {
    stream.resume();
    return Promise.reject(tooLarge(options.limitBytes));
  }
  const { lease } = options;
  if (lease && declaredLength !== undefined && Number.isFinite(declaredLength) && !lease.fits(declaredLength)) {
    stream.resume();
    return Promise.reject(bodyBudgetExceeded(lease));
  }
  if (stream.readableEnded) {
    return Promise.reject(
      new FriendhookError(
        "misconfigured",
        "The request body was already read by another middleware before friendhook; mount friendhook before any body parser.",
      ),
    );
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cancelDeadline = scheduleReadDeadline(options.timeoutMs, () =>
      fail(new FriendhookError("request_timeout", `The request body did not arrive within ${options.timeoutMs} ms.`)),
    );

    function cleanup() {
      cancelDeadline();
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    }
    function fail(error: FriendhookError) {
      cleanup();
      chunks.length = 0;
      // Keep listening for errors so that a late socket error is not an unhandled one.
      stream.on("error", () => undefined);
      stream.resume();
      reject(error);
    }
    function onData(chunk: Buffer | string) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      received += bytes.byteLength;
      if (received > options.limitBytes) {
        fail(tooLarge(options.limitBytes));
        return;
      }
      if (lease && !lease.take(bytes.byteLength)) {
        fail(bodyBudgetExceeded(lease));
        return;
      }
      chunks.push(bytes);
    }
    function onEnd() {
      cleanup();
      // A view of the bytes, not a copy: a body that came in one chunk is not copied at all.
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
      resolve(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    function onError() {
      fail(new FriendhookError("malformed_body", "The request body could not be read: the client stopped sending it."));
    }
    function onClose() {
      fail(new FriendhookError("malformed_body", "The client closed the connection before the request body was complete."));
    }

    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}
