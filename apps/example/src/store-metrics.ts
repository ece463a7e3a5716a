import type { StoreSize } from "@friendhook/core";
import type { ReceiverObserver } from "@friendhook/receiver";
import { Counter, Gauge, type Registry } from "prom-client";

export interface StoreMetrics {
  /** Give this hook to the receiver with the others. */
  readonly pruned: NonNullable<ReceiverObserver["pruned"]>;
}

/**
 * What the store holds and what retention removed: `friendhook_stored_events` and
 * `friendhook_store_bytes` are read from the store at each scrape (`measure`), and
 * `friendhook_pruned_total` counts what pruning removed, by kind.
 */
export function createStoreMetrics(registry: Registry, measure: () => Promise<StoreSize>): StoreMetrics {
  const registers = [registry];
  const pruned = new Counter({
    name: "friendhook_pruned_total",
    help: "Rows retention removed, by kind: events, dead letters, callbacks, friend-table tombstones, decisions.",
    labelNames: ["kind"] as const,
    registers,
  });
  // One read of the store per scrape, shared by both gauges.
  let reading: Promise<StoreSize | undefined> | undefined;
  const size = () => {
    reading ??= measure()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  new Gauge({
    name: "friendhook_stored_events",
    help: "Events the store holds.",
    registers,
    async collect() {
      const measured = await size();
      if (measured) this.set(measured.events);
    },
  });
  new Gauge({
    name: "friendhook_store_bytes",
    help: "Bytes the store takes (SQLite: the database file and its WAL; PostgreSQL: the tables and their indexes).",
    registers,
    async collect() {
      const measured = await size();
      if (measured?.bytes !== undefined) this.set(measured.bytes);
    },
  });
  return {
    pruned(info) {
      pruned.inc({ kind: "events" }, info.events);
      pruned.inc({ kind: "dead_letters" }, info.deadLetters);
      pruned.inc({ kind: "callbacks" }, info.callbacks);
      pruned.inc({ kind: "tombstones" }, info.tombstones);
      pruned.inc({ kind: "decisions" }, info.decisions);
    },
  };
}
