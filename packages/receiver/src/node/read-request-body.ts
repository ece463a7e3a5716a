import type { Readable } from "node:stream";
import { FriendhookError } from "@friendhook/core";
import { bodyTimedOut, checkDeclaredLength, createBodyCollector, type ReadBodyOptions } from "../body-limits";
import { scheduleReadDeadline } from "../read-deadlines";

/** The options of `readRequestBody`: those of `readBodyStream`. */
export type ReadRequestBodyOptions = ReadBodyOptions;

/**
 * Reads a Node request body into bytes exactly as sent, enforcing the size limit from the
 * Content-Length header up front and again while streaming (a chunked body has no length), the
 * budget of bytes in flight when given a lease, and a deadline for slow clients. Every failure is a
 * `FriendhookError` (413, 503, 408 or 400); nothing throws otherwise. Once refused, the rest of the
 * body is drained, not buffered, so the answer can be read.
 */
export function readRequestBody(stream: Readable, options: ReadRequestBodyOptions): Promise<Uint8Array> {
  const declared = checkDeclaredLength(options);
  if (declared) {
    stream.resume();
    return Promise.reject(declared);
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
    const collector = createBodyCollector(options);
    const cancelDeadline = scheduleReadDeadline(options.timeoutMs, () => fail(bodyTimedOut(options.timeoutMs)));

    function cleanup() {
      cancelDeadline();
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    }
    function fail(error: FriendhookError) {
      cleanup();
      // Keep listening for errors so that a late socket error is not an unhandled one.
      stream.on("error", () => undefined);
      stream.resume();
      reject(error);
    }
    function onData(chunk: Uint8Array | string) {
      const problem = collector.add(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
      if (problem) fail(problem);
    }
    function onEnd() {
      cleanup();
      // A plain view of the bytes, not a copy: a body that came in one chunk is not copied at all.
      const bytes = collector.bytes();
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
