import { createHmac } from "node:crypto";
import { webhookSigningKey } from "./webhook-secret";

export interface StandardWebhookMessage {
  /** `webhook-id`: the same for every attempt at one message. */
  readonly id: string;
  /** `webhook-timestamp`: seconds since the epoch, of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent as the request body. */
  readonly body: string | Uint8Array;
}

/** The base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under one key. */
export function standardWebhookSignature(key: Uint8Array, message: StandardWebhookMessage): string {
  return createHmac("sha256", key)
    .update(`${message.id}.${message.timestamp}.`, "utf8")
    .update(message.body)
    .digest("base64");
}

/**
 * The `webhook-signature` header for a message: `v1,<signature>` for each secret, separated by
 * spaces, so that a receiver holding either secret verifies it while the secret is rotated.
 */
export function signStandardWebhook(message: StandardWebhookMessage, secrets: string | readonly string[]): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return list.map((secret) => `v1,${standardWebhookSignature(webhookSigningKey(secret), message)}`).join(" ");
}
