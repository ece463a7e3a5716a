import { FriendhookError } from "../friendhook-error";

/**
 * Stores that number what they keep (SQLite, PostgreSQL, memory) use the number as the cursor.
 * Cursors are opaque to callers, so a cursor that is not one of these is refused as bad input.
 */
export function parseSequenceCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const sequence = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(sequence)) {
    throw new FriendhookError("invalid_payload", `${JSON.stringify(cursor.slice(0, 40))} is not a cursor of this store; pass a \`next\` value back unchanged.`);
  }
  return sequence;
}
