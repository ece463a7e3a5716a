import { FriendhookError } from "@friendhook/core";
import { type BodyLease, readRequestBody } from "@friendhook/receiver";
import type { Request } from "express";

export interface RawBodyLimits {
  readonly bodyLimitBytes: number;
  readonly bodyTimeoutMs: number;
}

// Short enough for every provider's refusal (Easemob keeps 240 characters of a message).
const consumedBodyMessage =
  "A body parser mounted before friendhook consumed the raw body. Mount friendhook before express.json(), " +
  "or keep the bytes: express.json({ verify: (request, response, buffer) => { request.rawBody = buffer } })";

/**
 * The body bytes exactly as sent. Read from the stream when nothing has read it yet, each byte taken
 * from `lease`; taken from `request.rawBody` when a parser mounted earlier kept them (the `verify`
 * hook; already in memory, so not counted); otherwise the parser consumed them, and the answer is
 * `misconfigured` with what to change.
 */
export async function readRawBody(request: Request, limits: RawBodyLimits, lease: BodyLease): Promise<Uint8Array> {
  const kept: unknown = (request as Request & { rawBody?: unknown }).rawBody;
  if (kept instanceof Uint8Array) {
    if (kept.byteLength > limits.bodyLimitBytes) {
      throw new FriendhookError("body_too_large", `The request body is larger than the limit of ${limits.bodyLimitBytes} bytes.`);
    }
    return kept;
  }
  if (request.body !== undefined || request.readableEnded) {
    throw new FriendhookError("misconfigured", consumedBodyMessage);
  }
  return readRequestBody(request, {
    limitBytes: limits.bodyLimitBytes,
    timeoutMs: limits.bodyTimeoutMs,
    contentLength: request.headers["content-length"],
    lease,
  });
}
