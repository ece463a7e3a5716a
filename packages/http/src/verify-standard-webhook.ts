import { constantTimeEqualAny, FriendhookError } from "@friendhook/core";
import { standardWebhookSignature } from "./standard-webhook-signature";
import { webhookSigningKey } from "./webhook-secret";

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyStandardWebhookInput {
  /** The raw body exactly as received: a string or the bytes. Never a parsed object. */
  readonly body: string | Uint8Array;
  /** The request headers: a Fetch `Headers`, or Node's `request.headers`. */
  readonly headers: WebhookHeaders;
  /** The endpoint's secret (`whsec_…`), or several while one is rotated. */
  readonly secret: string | readonly string[];
  /** How far `webhook-timestamp` may be from now; 300 seconds by default. */
  readonly toleranceSeconds?: number;
  /** The current time; the clock by default. */
  readonly now?: Date;
}

export interface VerifiedStandardWebhook {
  /** `webhook-id`: dedupe on it, a retried message carries the same one. */
  readonly id: string;
  readonly timestamp: Date;
  /** The body, parsed as JSON. */
  readonly payload: unknown;
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof value === "string" ? value : value?.[0];
}

function requireHeader(headers: WebhookHeaders, name: string): string {
  const value = headerValue(headers, name);
  if (value === undefined || value === "") {
    throw new FriendhookError("missing_signature", `The webhook has no ${name} header.`);
  }
  return value;
}

/**
 * Checks a Standard Webhooks request as the HTTP sink sends it: a `v1` signature by one of the
 * secrets over id, timestamp and the raw body, and a timestamp within the tolerance (replays of old
 * requests fail). Throws `FriendhookError` (`missing_signature`, `invalid_signature`,
 * `stale_request`, `malformed_body`, `misconfigured`); returns the id, time and parsed payload.
 */
export function verifyStandardWebhook(input: VerifyStandardWebhookInput): VerifiedStandardWebhook {
  if (typeof input.body !== "string" && !(input.body instanceof Uint8Array)) {
    throw new FriendhookError(
      "misconfigured",
      "verifyStandardWebhook needs the raw body as received (a string or bytes); a parsed and re-serialized body no longer matches its signature.",
    );
  }
  const id = requireHeader(input.headers, "webhook-id");
  const timestampText = requireHeader(input.headers, "webhook-timestamp");
  const signatures = requireHeader(input.headers, "webhook-signature");

  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new FriendhookError("invalid_signature", "The webhook-timestamp header is not a number of seconds.");
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? 300;
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new FriendhookError("stale_request", `The webhook timestamp is more than ${tolerance} seconds away from now.`);
  }

  const message = { id, timestamp, body: input.body };
  const secrets = typeof input.secret === "string" ? [input.secret] : input.secret;
  const expected = secrets.map((secret) => standardWebhookSignature(webhookSigningKey(secret), message));
  const offered = signatures
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => entry.slice("v1,".length));
  const matched = offered.some((signature) => constantTimeEqualAny(signature, expected));
  if (!matched) throw new FriendhookError("invalid_signature", "No webhook signature matches the configured secrets.");

  const text = typeof input.body === "string" ? input.body : Buffer.from(input.body).toString("utf8");
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new FriendhookError("malformed_body", "The webhook body is not JSON.", { cause: error });
  }
  return { id, timestamp: new Date(timestamp * 1000), payload };
}
