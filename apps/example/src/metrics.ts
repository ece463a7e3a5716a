import type { DeliveryCounts } from "@friendhook/core";
import type { ReceiverObserver } from "@friendhook/receiver";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { heapAfterLastFullCollection } from "./heap-after-collection";
import { type DropReason, dropReasons } from "./standard-output";

export interface HttpRequestObservation {
  readonly method: string;
  /** The route pattern (`/api/events`), never the raw path: raw paths would make labels unbounded. */
  readonly route: string;
  readonly status: number;
  readonly durationSeconds: number;
}

export interface AppMetrics {
  /** Everything `GET /metrics` shows; one registry per app, so that several apps can share a process. */
  readonly registry: Registry;
  /** Give this to the receiver. */
  readonly observer: ReceiverObserver;
  observeHttpRequest(observation: HttpRequestObservation): void;
  /** Counts a callback the app refused before the receiver saw it (a provider without credentials). */
  countRefusedCallback(provider: string, code: string): void;
  /** Reports the delivery backlog at each scrape. */
  watchDeliveries(read: () => Promise<readonly DeliveryCounts[]>): void;
  /** Reports the log lines dropped so far (see `logDestination`) at each scrape. */
  watchDroppedLogLines(read: () => Readonly<Record<DropReason, number>>): void;
}

const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Every counter and histogram here has a fixed set of labels and lives in this app's registry.
  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[]) =>
    new Counter({ name, help, labelNames, registers });
  const histogram = <Label extends string>(name: string, help: string, labelNames: readonly Label[]) =>
    new Histogram({ name, help, labelNames, buckets: latencyBucketsSeconds, registers });

  const callbacks = counter("friendhook_callbacks_total", "Provider callbacks by outcome: stored, duplicate, unrecognized, refused (4xx) or failed (5xx).", ["provider", "outcome"]);
  const refusals = counter("friendhook_callback_refusals_total", "Callbacks answered with an error, by stable error code.", ["provider", "code"]);
  const callbackDuration = histogram("friendhook_callback_duration_seconds", "Time from reading a callback to answering it, storage included.", ["provider", "outcome"]);
  const events = counter("friendhook_events_total", "Events of the callbacks that stored new events, by provider and type.", ["provider", "type"]);
  const deliveryAttempts = counter("friendhook_delivery_attempts_total", "Batches handed to a sink.", ["sink"]);
  const deliveryFailures = counter("friendhook_delivery_failures_total", "Batches a sink did not take in full; what failed is delivered again in parts, retried or dead-lettered.", ["sink"]);
  const deliveredEvents = counter("friendhook_delivered_events_total", "Events a sink took.", ["sink"]);
  const deadLetters = counter("friendhook_dead_letters_total", "Deliveries that ran out of attempts (or failed permanently) and went to the dead letters.", ["sink"]);
  const httpDuration = histogram("friendhook_http_request_duration_seconds", "HTTP request latency by route pattern and status.", ["method", "route", "status_code"]);

  let readDroppedLogLines: (() => Readonly<Record<DropReason, number>>) | undefined;
  new Counter({
    name: "friendhook_log_lines_dropped_total",
    help: "Log lines not written to standard output: its buffer was full (its reader slow or stopped) or it was closed (its reader gone).",
    labelNames: ["reason"] as const,
    registers,
    collect() {
      const dropped = readDroppedLogLines?.();
      if (dropped === undefined) return;
      // The destination keeps the totals; the counter shows them as they are at the scrape.
      this.reset();
      for (const reason of dropReasons) this.inc({ reason }, dropped[reason]);
    },
  });

  heapAfterLastFullCollection();
  new Gauge({
    name: "friendhook_heap_held_bytes",
    help: "Heap the app holds, outside the young generation, right after the latest full garbage collection: level unless something leaks, while resident memory saws between collections.",
    registers,
    collect() {
      const held = heapAfterLastFullCollection();
      if (held !== undefined) this.set(held);
    },
  });

  let readDeliveries: (() => Promise<readonly DeliveryCounts[]>) | undefined;
  const backlogGauge = (name: string, help: string, field: "pending" | "deadLettered") =>
    new Gauge({
      name,
      help,
      labelNames: ["sink"] as const,
      registers,
      async collect() {
        this.reset();
        // A scrape during shutdown, or with the store gone, shows no backlog rather than failing.
        const counts = await readDeliveries?.().catch(() => []);
        for (const count of counts ?? []) this.set({ sink: count.sink }, count[field]);
      },
    });
  backlogGauge("friendhook_deliveries_pending", "Deliveries waiting, in flight or scheduled for a retry, by sink.", "pending");
  backlogGauge("friendhook_deliveries_dead_lettered", "Dead letters waiting to be replayed, by sink.", "deadLettered");

  const observer: ReceiverObserver = {
    callbackHandled(info) {
      callbacks.inc({ provider: info.provider, outcome: info.outcome });
      callbackDuration.observe({ provider: info.provider, outcome: info.outcome }, info.durationMs / 1000);
      if (info.errorCode !== undefined) refusals.inc({ provider: info.provider, code: info.errorCode });
      if (info.outcome === "stored") {
        for (const type of info.eventTypes) events.inc({ provider: info.provider, type });
      }
    },
    deliveryAttempted(info) {
      deliveryAttempts.inc({ sink: info.sink });
      if (info.delivered > 0) deliveredEvents.inc({ sink: info.sink }, info.delivered);
      if (!info.succeeded) deliveryFailures.inc({ sink: info.sink });
      if (info.deadLettered > 0) deadLetters.inc({ sink: info.sink }, info.deadLettered);
    },
  };

  return {
    registry,
    observer,
    observeHttpRequest({ method, route, status, durationSeconds }) {
      httpDuration.observe({ method, route, status_code: String(status) }, durationSeconds);
    },
    countRefusedCallback(provider, code) {
      callbacks.inc({ provider, outcome: "refused" });
      refusals.inc({ provider, code });
    },
    watchDeliveries(read) {
      readDeliveries = read;
    },
    watchDroppedLogLines(read) {
      readDroppedLogLines = read;
    },
  };
}
