import { type FriendEvent, type FriendEventSink, parseOptions, SinkBatchError, SinkError, sha256Hex } from "@friendhook/core";
import { request as sendRequest } from "undici";
import { type HttpSinkOptions, HttpSinkOptionsSchema } from "./http-sink-options";
import { retryAfterMs } from "./retry-after";
import { signStandardWebhook } from "./standard-webhook-signature";
import { cloudEventOf, contentTypes, standardWebhookPayload } from "./webhook-payload";

interface WebhookRequest {
  /** `webhook-id`: the event id, or for a batch an id derived from its event ids. */
  readonly id: string;
  readonly body: string;
  readonly contentType: string;
  /** How many events the body carries. */
  readonly events: number;
}

/**
 * Answers about the request's own content: another event may well be taken, so the failure is this
 * event's alone. Any other failure (no answer, 401, 404, 429, 5xx…) may concern the endpoint as a whole.
 */
const contentRefusals = new Set([400, 413, 415, 422]);

/** A failed request, and whether the endpoint refused what this request carried rather than any request. */
class RequestFailure extends Error {
  constructor(
    readonly error: SinkError,
    readonly aboutContent: boolean,
  ) {
    super(error.message);
  }
}

/** The same batch always gets the same id, so a receiver can dedupe a retried batch as a whole. */
function batchId(events: readonly FriendEvent[]): string {
  return `batch_${sha256Hex(events.map((event) => event.id).join("\n")).slice(0, 32)}`;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "the request timed out";
  // The code only (ECONNREFUSED, UND_ERR_SOCKET…): a socket error's message names the address.
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.cause?.code;
  const reason = typeof code === "string" ? code : error instanceof Error ? error.name : "unknown error";
  return `the request failed (${reason})`;
}

/**
 * Forwards events to a URL as signed Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), with Standard Webhooks or CloudEvents payloads, one request per event in
 * order or one per batch. Any answer but 2xx fails the delivery: 410 Gone permanently, 413 for a
 * single event permanently, and a `Retry-After` sets the wait before the next attempt. Sending one
 * request per event, the sink reports which events got through before a failure (`SinkBatchError`).
 * Messages never contain the URL or secrets.
 */
export function createHttpSink(options: HttpSinkOptions): FriendEventSink {
  const parsed = parseOptions(HttpSinkOptionsSchema, options, "HTTP sink");
  const contentType = contentTypes[parsed.format];
  const payloadOf = (event: FriendEvent) =>
    parsed.format === "cloudevents" ? cloudEventOf(event, parsed.cloudEventSource) : standardWebhookPayload(event);

  const requestsFor = (events: readonly FriendEvent[]): WebhookRequest[] =>
    parsed.batch
      ? [{ id: batchId(events), body: JSON.stringify(events.map(payloadOf)), contentType: contentType.batch, events: events.length }]
      : events.map((event) => ({ id: event.id, body: JSON.stringify(payloadOf(event)), contentType: contentType.single, events: 1 }));

  async function send(request: WebhookRequest): Promise<void> {
    // Signed per attempt: the timestamp says when this attempt was made.
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    let retryAfterHeader: string | undefined;
    try {
      // The configured headers first, so that none of them can replace the ones the signature needs.
      const headers = new Headers(parsed.headers);
      headers.set("content-type", request.contentType);
      headers.set("user-agent", "friendhook");
      headers.set("webhook-id", request.id);
      headers.set("webhook-timestamp", String(timestamp));
      headers.set("webhook-signature", signStandardWebhook({ id: request.id, timestamp, body: request.body }, parsed.secret));
      // undici's request rather than fetch: a fraction of fetch's objects per request (no web streams,
      // no Request and Response), which a busy receiver would otherwise keep promoting to its old
      // generation (RELIABILITY.md, section 11). It follows no redirect: a webhook is never sent on
      // to an address the endpoint names.
      const response = await sendRequest(parsed.url, {
        method: "POST",
        headers,
        body: request.body,
        signal: AbortSignal.timeout(parsed.timeoutMs),
      });
      status = response.statusCode;
      const retryAfter = response.headers["retry-after"];
      retryAfterHeader = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
      // The answer's body is not needed; reading it to its end frees the connection for the next request.
      await response.body.dump().catch(() => undefined);
    } catch (error) {
      throw new RequestFailure(new SinkError(`HTTP sink: ${describeFailure(error)}.`, { cause: error }), false);
    }
    if (status >= 200 && status < 300) return;
    if (status === 410) {
      throw new RequestFailure(new SinkError("HTTP sink: the endpoint answered 410 Gone; it no longer takes webhooks.", { permanent: true }), false);
    }
    // The same body will be too large every time; a batch of several is split by the receiver instead.
    const permanent = status === 413 && request.events === 1;
    const retryAfter = retryAfterMs(retryAfterHeader ?? null);
    const error = new SinkError(`HTTP sink: the endpoint answered ${status}${permanent ? " (the event alone is too large)" : ""}.`, {
      permanent,
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
    throw new RequestFailure(error, contentRefusals.has(status) && request.events === 1);
  }

  return {
    name: parsed.name,
    idempotent: parsed.receiverDeduplicates,
    async deliver(events) {
      if (events.length === 0) return;
      const requests = requestsFor(events);
      // One after another: a failure leaves no later event delivered before an earlier one.
      for (const [index, request] of requests.entries()) {
        try {
          await send(request);
        } catch (failure) {
          const { error, aboutContent } = failure as RequestFailure;
          // Before anything got through, a failure that may be the endpoint's fails the batch as a
          // whole; otherwise the events already delivered must be reported, or they would be sent twice.
          if (index === 0 && !aboutContent) throw error;
          throw SinkBatchError.stoppedAt(index, requests.length, error);
        }
      }
    },
  };
}
