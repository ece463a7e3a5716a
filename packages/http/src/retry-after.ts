/**
 * The wait an HTTP `Retry-After` header asks for, in milliseconds: either delay-seconds or an
 * HTTP-date. `undefined` when absent or unreadable; 0 for a date already past.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
