import { FriendhookError } from "../friendhook-error";
import type { AppendInput } from "./friend-event-store";

// Text every store keeps exactly: PostgreSQL's text and jsonb cannot hold a NUL, and an unpaired
// surrogate has no UTF-8 form (SQLite would keep U+FFFD in its place, PostgreSQL's jsonb refuses it).
const suspect = /[\u0000\ud800-\udfff]/;
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether every store can keep `text` exactly: no NUL, no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  // Most text holds neither a NUL nor a surrogate: one quick scan settles it.
  return !suspect.test(text) || !unstorable.test(text);
}

/** The path of the first string (or key) in `value` that no store can keep, if any. */
function findUnstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return isStorableText(value) ? undefined : path;
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findUnstorableText(value[index], `${path}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    if (!isStorableText(key)) return `${path} (a key)`;
    const found = findUnstorableText(member, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * What every store refuses before it writes anything: text it cannot keep exactly, anywhere in the
 * events or the callback (a NUL in a friend request message, say). The error is `invalid_payload`
 * (400), so a receiver refuses the callback instead of answering 503 to a provider that would retry
 * the same input for ever.
 */
export function checkStorableText(input: AppendInput): FriendhookError | undefined {
  for (let index = 0; index < input.events.length; index += 1) {
    const found = findUnstorableText(input.events[index], `events.${index}`);
    if (found) return unstorableError(found);
  }
  const found = findUnstorableText(input.callback, "callback") ?? findUnstorableText(input.binding, "binding");
  return found ? unstorableError(found) : undefined;
}

function unstorableError(path: string): FriendhookError {
  return new FriendhookError(
    "invalid_payload",
    `${path.slice(0, 120).replace(/[^\x20-\x7e]/g, "?")} holds text no store can keep (a NUL character or an unpaired surrogate); the callback is refused.`,
  );
}
