import type { FriendEvent } from "@friendhook/core";

export type WebhookFormat = "standard-webhooks" | "cloudevents";

/** The payload Standard Webhooks recommends: what happened, when, and the event as `data`. */
export interface StandardWebhookPayload {
  readonly type: FriendEvent["type"];
  readonly timestamp: string;
  readonly data: FriendEvent;
}

/** A CloudEvent 1.0 in structured JSON mode. */
export interface FriendCloudEvent {
  readonly specversion: "1.0";
  readonly id: string;
  readonly source: string;
  readonly type: FriendEvent["type"];
  readonly time: string;
  readonly datacontenttype: "application/json";
  readonly data: FriendEvent;
}

export type CloudEventSource = string | ((event: FriendEvent) => string);

/** `friendhook://{provider}/{appId}`, each part percent-encoded (`org#app` → `org%23app`). */
export function defaultCloudEventSource(event: FriendEvent): string {
  return `friendhook://${encodeURIComponent(event.provider)}/${encodeURIComponent(event.appId)}`;
}

export function standardWebhookPayload(event: FriendEvent): StandardWebhookPayload {
  return { type: event.type, timestamp: event.occurredAt, data: event };
}

export function cloudEventOf(event: FriendEvent, source: CloudEventSource = defaultCloudEventSource): FriendCloudEvent {
  return {
    specversion: "1.0",
    id: event.id,
    source: typeof source === "function" ? source(event) : source,
    type: event.type,
    time: event.occurredAt,
    datacontenttype: "application/json",
    data: event,
  };
}

export const contentTypes = {
  "standard-webhooks": { single: "application/json", batch: "application/json" },
  cloudevents: { single: "application/cloudevents+json", batch: "application/cloudevents-batch+json" },
} as const satisfies Record<WebhookFormat, { single: string; batch: string }>;
