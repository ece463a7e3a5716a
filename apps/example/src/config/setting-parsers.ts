/** What parsing one setting gave: its value, or a sentence saying what is wrong with it. */
export type Parsed<Value> = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly problem: string };

export function parsed<Value>(value: Value): Parsed<Value> {
  return { ok: true, value };
}

export function problem(text: string): Parsed<never> {
  return { ok: false, problem: text };
}

export function parsePort(text: string): Parsed<number> {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) return problem(`must be a port number from 0 to 65535 (got "${text}")`);
  return parsed(port);
}

const byteUnits: Readonly<Record<string, number>> = { "": 1, b: 1, kb: 1024, mb: 1024 * 1024 };
export const largestBodyLimitBytes = 64 * 1024 * 1024;

/** `1mb`, `512kb`, `2048b` or `2048` (bytes), at most `largestBytes` (whole megabytes). Units are binary: 1kb is 1024 bytes. */
export function parseByteSize(text: string, largestBytes: number = largestBodyLimitBytes): Parsed<number> {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const multiplier = match ? byteUnits[match[2]!.toLowerCase()] : undefined;
  if (!match || multiplier === undefined) {
    return problem(`must be a size such as 1mb, 512kb or a number of bytes (got "${text}")`);
  }
  const bytes = Number(match[1]) * multiplier;
  if (bytes < 1) return problem("must be at least 1 byte");
  if (bytes > largestBytes) return problem(`must be at most ${largestBytes / byteUnits.mb!}mb (got "${text}")`);
  return parsed(bytes);
}

/**
 * Splits a comma-separated list, trimming the spaces people put after commas. Empty entries are
 * refused: `a,,b` is a typo, not a list of three.
 */
export function parseCommaList(text: string): Parsed<string[]> {
  const entries = text.split(",").map((entry) => entry.trim());
  const emptyAt = entries.findIndex((entry) => entry === "");
  if (emptyAt !== -1) return problem(`entry ${emptyAt + 1} of the comma-separated list is empty`);
  return parsed(entries);
}
