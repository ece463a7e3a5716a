import { type Parsed, parseByteSize, parsed, problem } from "./setting-parsers";

/** FRIENDHOOK_SHUTDOWN_TIMEOUT_MS when unset: the time a shutdown may take before it gives up. */
export const defaultShutdownTimeoutMs = 10_000;

/** FRIENDHOOK_OUTPUT_BUFFER when unset: the standard output kept while its reader is slower than the app. */
export const defaultOutputBufferBytes = 1024 * 1024;

/** A gibibyte of bodies at once is more than a receiver of friend callbacks needs; more is a typo. */
const largestBodyBytesInFlight = 1024 * 1024 * 1024;

const shortestShutdownTimeoutMs = 1000;
const longestShutdownTimeoutMs = 600_000;
const smallestOutputBufferBytes = 16 * 1024;

/** Whole milliseconds, from 1 s (less leaves no time to close the store) to 10 minutes. */
export function parseShutdownTimeout(text: string): Parsed<number> {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= shortestShutdownTimeoutMs && value <= longestShutdownTimeoutMs)) {
    return problem(`must be a whole number of milliseconds from ${shortestShutdownTimeoutMs} to ${longestShutdownTimeoutMs} (got "${text.slice(0, 20)}")`);
  }
  return parsed(value);
}

/** A size as FRIENDHOOK_BODY_LIMIT takes it, of at least 16kb: a log line longer than the buffer could never be written. */
export function parseOutputBuffer(text: string): Parsed<number> {
  const size = parseByteSize(text);
  if (size.ok && size.value < smallestOutputBufferBytes) return problem(`must be at least 16kb (got "${text}")`);
  return size;
}

/** A size as FRIENDHOOK_BODY_LIMIT takes it, up to 1024mb: the body bytes the receiver holds at once, across every callback. */
export function parseBodyBytesInFlight(text: string): Parsed<number> {
  return parseByteSize(text, largestBodyBytesInFlight);
}
