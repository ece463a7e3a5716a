import { percentileOfSorted } from "../report/statistics";

/** What one stretch of load against one server gave. Samples of one target add up across rounds. */
export class LoadSample {
  private readonly latencies: number[] = [];
  private seconds = 0;
  private failures = 0;
  private errors = 0;

  /** A response, with the milliseconds from sending the request to reading the whole answer. */
  recordResponse(statusCode: number, latencyMs: number): void {
    if (statusCode === 200) this.latencies.push(latencyMs);
    else this.failures += 1;
  }

  recordError(): void {
    this.errors += 1;
  }

  addDuration(seconds: number): void {
    this.seconds += seconds;
  }

  summarize(): LoadSummary {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      requests: this.latencies.length,
      seconds: this.seconds,
      requestsPerSecond: this.seconds > 0 ? this.latencies.length / this.seconds : 0,
      p50Ms: percentileOfSorted(sorted, 0.5),
      p99Ms: percentileOfSorted(sorted, 0.99),
      maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
      failedResponses: this.failures,
      errors: this.errors,
    };
  }
}

export interface LoadSummary {
  /** Answered with 200. */
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answered with anything but 200: a benchmark with any of these measures the wrong thing. */
  readonly failedResponses: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
}
