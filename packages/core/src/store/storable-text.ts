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

/** Whether any string or key in `value` is one no store can keep. No paths are built: this runs for every append. */
function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === "string") return !isStorableText(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsUnstorableText(item)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  // for…in rather than Object.keys: no array per object, and events are plain data.
  for (const key in record) {
    if (!isStorableText(key) || holdsUnstorableText(record[key])) return true;
  }
  return false;
}

/** The path of the first string (or key) in `value` that no store can keep: for the error, once one is known to be there. */
function findUnstorableText(value: unknown, path: string): string | undefined {
  if (!holdsUnstorableText(value)) return undefined;
  if (typeof value === "string") return path;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!isStorableText(key)) return `${path} (a key)`;
    const found = findUnstorableText(record[key], `${path}.${key}`);
    if (found) return found;
  }
  return path;
}

/**
 * What every store refuses before it writes anything: text it cannot keep exactly, anywhere in the
 * events or the callback (a NUL in a friend request message, say). The error is `invalid_payload`
 * (400), so a receiver refuses the callback instead of answering 503 to a provider that would retry
 * the same input for ever.
 */
export function checkStorableText(input: AppendInput): FriendhookError | undefined {
  if (!holdsUnstorableText(input.events) && !holdsUnstorableText(input.callback) && !holdsUnstorableText(input.binding)) return undefined;
  const found = findUnstorableText(input.events, "events") ?? findUnstorableText(input.callback, "callback") ?? findUnstorableText(input.binding, "binding");
  return unstorableError(found ?? "the append");
}

function unstorableError(path: string): FriendhookError {
  return new FriendhookError(
    "invalid_payload",
    `${path.slice(0, 120).replace(/[^\x20-\x7e]/g, "?")} holds text no store can keep (a NUL character or an unpaired surrogate); the callback is refused.`,
  );
}
