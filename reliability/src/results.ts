import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** reliability/results/latest.json: the figures of the last run of each test. */
export const resultsPath = join(dirname(fileURLToPath(import.meta.url)), "../results/latest.json");

/**
 * What one test did and saw. Counts are of callbacks (HTTP requests to a webhook) unless named
 * otherwise; a figure that does not apply to a test is left out.
 */
export interface Figures {
  /** Callbacks sent, retries of the same callback included. */
  callbacksSent?: number;
  /** Distinct callbacks answered 2xx. */
  acknowledged?: number;
  /** Callbacks answered 4xx, as intended (bad signatures, hostile bodies). */
  refused?: number;
  /** Callbacks that got no answer (the process was killed under them): each may or may not be stored. */
  unanswered?: number;
  /** Distinct events in the store at the end. */
  eventsStored?: number;
  /** Distinct events the sink received. */
  eventsDelivered?: number;
  /** Deliveries of an event the sink had already received (at-least-once redelivery after a crash). */
  duplicateDeliveries?: number;
  /** Events of acknowledged callbacks missing from the store or the sink. Must be 0. */
  lost?: number;
  /** Events of refused callbacks found in the store. Must be 0. */
  forgedStored?: number;
  /** Hostile or forged requests tried. */
  hostileInputsTried?: number;
  /** Answers with a status of 500 or above, where none was allowed. Must be 0. */
  serverErrorsSeen?: number;
  /** Anything else worth reading, by name. */
  notes?: Record<string, number | string>;
}

export interface TestResult extends Figures {
  readonly title: string;
  readonly recordedAt: string;
}

export interface ResultsFile {
  readonly updatedAt: string;
  readonly results: Record<string, TestResult>;
}

export function readResults(path: string = resultsPath): ResultsFile {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ResultsFile;
  } catch {
    return { updatedAt: new Date(0).toISOString(), results: {} };
  }
}

/** Records (or replaces) the figures of one test; the other tests' figures are kept. */
export function recordFigures(key: string, title: string, figures: Figures, path: string = resultsPath): void {
  const current = readResults(path);
  const now = new Date().toISOString();
  const next: ResultsFile = {
    updatedAt: now,
    results: { ...current.results, [key]: { title, ...figures, recordedAt: now } },
  };
  mkdirSync(dirname(path), { recursive: true });
  // Written whole and renamed into place, so that a reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, path);
}
