import type { FriendEvent } from "@friendhook/core";

/** A subject for each event: a template with `{provider}`, `{appId}` and `{type}`, or a function. */
export type SubjectTemplate = string | ((event: FriendEvent) => string);

const placeholderPattern = /\{(provider|appId|type)\}/g;
const plainByte = /^[A-Za-z0-9_-]$/;

/**
 * Makes any text one safe subject token: letters, digits, `_` and `-` stay, every other UTF-8 byte
 * becomes `%XX` (so `.`, `*`, `>` and spaces can never split or widen a subject). The empty text is
 * `%`, which no encoding of a non-empty text can equal.
 */
export function encodeSubjectToken(value: string): string {
  if (value === "") return "%";
  let token = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const character = String.fromCharCode(byte);
    token += plainByte.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return token;
}

/**
 * The subject of one event. Provider and app become one token each; the type keeps its dots
 * (`friend.added` is two tokens), so `friendhook.easemob.friend.>` selects every friend change.
 */
export function subjectOf(template: SubjectTemplate, event: FriendEvent): string {
  if (typeof template === "function") return template(event);
  return template.replace(placeholderPattern, (_, field: "provider" | "appId" | "type") =>
    field === "type" ? event.type.split(".").map(encodeSubjectToken).join(".") : encodeSubjectToken(event[field]),
  );
}

/**
 * The subjects a stream needs to capture everything a template publishes: its fixed leading tokens
 * followed by `>` (`friendhook.>` for `friendhook.{provider}.{type}`). `undefined` for a function,
 * or a template that starts with a placeholder, whose subjects cannot be known in advance.
 */
export function subjectFilterOf(template: SubjectTemplate): string | undefined {
  if (typeof template === "function") return undefined;
  const tokens = template.split(".");
  const firstPlaceholder = tokens.findIndex((token) => token.includes("{"));
  if (firstPlaceholder === -1) return template;
  return firstPlaceholder === 0 ? undefined : `${tokens.slice(0, firstPlaceholder).join(".")}.>`;
}
