import type { BacklogResult } from "./backlog";
import type { DrainResult } from "./drain";

export interface DeliverySettings {
  /** Events in the backlog. */
  readonly events: number;
  readonly pairsPerCallback: number;
  /** Distinct user pairs the backlog's events fall on. */
  readonly pairs: number;
  /** The longest a drain may take before it is reported as failed. */
  readonly deadlineMs: number;
}

export interface DestinationResult {
  readonly sinkName: string;
  readonly label: string;
  readonly serverWrite: string;
  /** Why the server could not be measured. */
  readonly unavailable?: string;
  readonly serverEventsPerSecond?: number;
  readonly drain?: DrainResult;
  /** Events the server holds from the sink after the drain: the backlog's, once each. */
  readonly storedBySink?: number;
}

export interface DeliveryResults {
  readonly settings: DeliverySettings;
  readonly backlog: BacklogResult;
  readonly destinations: readonly DestinationResult[];
}
