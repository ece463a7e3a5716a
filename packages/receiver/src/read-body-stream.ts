import { FriendhookError, isFriendhookError } from "@friendhook/core";
import { bodyTimedOut, checkDeclaredLength, createBodyCollector, type ReadBodyOptions } from "./body-limits";
import { scheduleReadDeadline } from "./read-deadlines";

const utf8 = new TextEncoder();

/** The refusal for a body that something read before friendhook could. */
export function bodyAlreadyRead(): FriendhookError {
  return new FriendhookError(
    "misconfigured",
    "The request body was already read before friendhook (request.json(), request.text() or a body parser); hand friendhook the request untouched.",
  );
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return utf8.encode(chunk);
  throw new FriendhookError("malformed_body", "The request body stream gave something other than bytes.");
}

/**
 * Reads a Web `ReadableStream` body (a Fetch `Request`'s) into bytes exactly as sent, with the
 * same rules as `readRequestBody` over a Node stream: the size limit from Content-Length up front
 * and again while streaming, the budget of bytes in flight when given a lease, and a deadline for
 * the whole body. Every failure is a `FriendhookError` (413, 503, 408, 400, or `misconfigured`
 * when the stream was already read); once refused, the stream is cancelled. A `null` body (none
 * was sent) reads as no bytes.
 */
export async function readBodyStream(body: ReadableStream<Uint8Array> | null, options: ReadBodyOptions): Promise<Uint8Array> {
  const declared = checkDeclaredLength(options);
  if (declared) {
    body?.cancel().catch(() => undefined);
    throw declared;
  }
  if (body === null) return new Uint8Array(0);
  if (body.locked) throw bodyAlreadyRead();
  const reader = body.getReader();
  const collector = createBodyCollector(options);
  let cancelDeadline = () => {};
  const deadline = new Promise<never>((_resolve, reject) => {
    cancelDeadline = scheduleReadDeadline(options.timeoutMs, () => reject(bodyTimedOut(options.timeoutMs)));
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) return collector.bytes();
      const problem = collector.add(asBytes(value));
      if (problem) throw problem;
    }
  } catch (error) {
    // The rest is not read: the caller answers with `Connection: close`.
    reader.cancel().catch(() => undefined);
    if (isFriendhookError(error)) throw error;
    throw new FriendhookError("malformed_body", "The request body could not be read: the client stopped sending it.", { cause: error });
  } finally {
    cancelDeadline();
  }
}
