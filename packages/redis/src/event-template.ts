import type { FriendEvent } from "@friendhook/core";

/** A name for each event: a template such as `friendhook:{provider}:{appId}`, or a function. */
export type EventTemplate = string | ((event: FriendEvent) => string);

const placeholderPattern = /\{(provider|appId|type)\}/g;

/**
 * Fills `{provider}`, `{appId}` and `{type}` with the event's values, each passed through `encode`.
 * Other braces are left as they are (Redis hash tags such as `{friendhook}` keep working).
 */
export function fillEventTemplate(template: EventTemplate, event: FriendEvent, encode: (value: string) => string = (value) => value): string {
  if (typeof template === "function") return template(event);
  return template.replace(placeholderPattern, (_, field: "provider" | "appId" | "type") => encode(event[field]));
}
