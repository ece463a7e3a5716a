import type { IncomingMessage } from "node:http";
import { FriendhookError } from "@friendhook/core";
import type { BodyLease } from "../body-budget";
import { bodyTooLarge } from "../body-limits";
import { readRequestBody } from "./read-request-body";

export interface RawBodyLimits {
  readonly bodyLimitBytes: number;
  readonly bodyTimeoutMs: number;
}

/** A request a framework may have handled first: a parsed `body`, the raw bytes kept as `rawBody`. */
type FrameworkRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

// Short enough for every provider's refusal (Easemob keeps 240 characters of a message).
const consumedBodyMessage =
  "A body parser mounted before friendhook consumed the raw body. Mount friendhook before express.json(), " +
  "or keep the bytes: express.json({ verify: (request, response, buffer) => { request.rawBody = buffer } })";

/**
 * The body bytes exactly as sent. Read from the stream when nothing has read it yet, each byte taken
 * from `lease`; taken from `request.rawBody` when a parser that ran first kept them (Express's
 * `verify` hook, Google Cloud Functions; already in memory, so not counted); otherwise the parser
 * consumed them, and the answer is `misconfigured` with what to change.
 */
export async function readRawBody(request: FrameworkRequest, limits: RawBodyLimits, lease: BodyLease): Promise<Uint8Array> {
  const kept = request.rawBody;
  if (kept instanceof Uint8Array) {
    if (kept.byteLength > limits.bodyLimitBytes) throw bodyTooLarge(limits.bodyLimitBytes);
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
