import { join } from "node:path";
import type { FriendEvent } from "@friendhook/core";
import { buildFriendEvents } from "@friendhook/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../src/index";
import { deliveryQueries } from "../src/delivery-queries";
import { inspectionQueries } from "../src/inspection-queries";
import { userEventsIndexFilename, userEventsQueries } from "../src/user-events-index";
import { migrations } from "../src/migrations";
import { temporaryDirectory } from "./temporary-directory";

/** Queries that walk a b-tree in its own order and stop after LIMIT rows: SQLite calls that a SCAN, yet it reads only those rows. */
const boundedWalks: ReadonlySet<string> = new Set(["latestEvents"]);

function planOf(database: Database.Database, sql: string): string[] {
  const parameters = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1] as string);
  const statement = database.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (
    parameters.length > 0
      ? statement.all(Object.fromEntries(parameters.map((name) => [name, 1])))
      : statement.all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1))
  ) as Array<{ detail: string }>;
  return rows.map((row) => row.detail);
}

describe("SQLite store: the queries of an operator's view", () => {
  it("read index ranges, never every row (EXPLAIN QUERY PLAN)", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    await store.append({ events: buildFriendEvents(20), sinks: ["primary"] });
    await store.close();
    const database = new Database(store.filename, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(inspectionQueries)) {
        const plan = planOf(database, sql);
        if (/^\s*(SELECT)/i.test(sql)) expect(plan.length, name).toBeGreaterThan(0);
        for (const step of plan) {
          expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/TEMP B-TREE/);
          if (boundedWalks.has(name)) expect(sql, name).toMatch(/LIMIT/);
          else expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/^SCAN/);
        }
      }
      expect(planOf(database, inspectionQueries.failedDeliveries).join(" | ")).toMatch(/deliveries_failed/);
      expect(planOf(database, inspectionQueries.oldestPending).join(" | ")).toMatch(/deliveries_in_event_order/);
    } finally {
      database.close();
    }
  });

  it("reads a user's events from the index file's range, and what it has not indexed yet from a range of sequences (EXPLAIN QUERY PLAN)", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    await store.append({ events: buildFriendEvents(20), sinks: ["primary"] });
    await store.close();
    const database = new Database(store.filename);
    try {
      database.prepare("ATTACH DATABASE ? AS user_index").run(userEventsIndexFilename(store.filename));
      const indexed = planOf(database, userEventsQueries.indexed).join(" | ");
      expect(indexed).toMatch(/SEARCH u USING PRIMARY KEY \(provider=\? AND app_id=\? AND user_id=\? AND sequence>\? AND sequence<\?\)/);
      expect(indexed).toMatch(/SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(indexed).not.toMatch(/TEMP B-TREE|SCAN/);
      expect(planOf(database, userEventsQueries.notYetIndexed).join(" | ")).toMatch(/^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
    } finally {
      database.close();
    }
  });

  it("claims and backfills read index ranges too, claims in the events' order (EXPLAIN QUERY PLAN)", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    await store.append({ events: buildFriendEvents(20), sinks: ["primary"] });
    await store.close();
    const database = new Database(store.filename, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(deliveryQueries)) {
        if (!/^\s*SELECT/i.test(sql)) continue;
        const plan = planOf(database, sql);
        expect(plan.length, name).toBeGreaterThan(0);
        for (const step of plan) {
          expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/TEMP B-TREE/);
          // A scalar subquery's constant row is one row, not a table.
          expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/^SCAN (?!CONSTANT ROW)/);
        }
      }
      const claim = planOf(database, deliveryQueries.selectClaimable).join(" | ");
      expect(claim).toMatch(/deliveries_in_event_order/);
      expect(claim).toMatch(/deliveries_held_by_order_key/);
      expect(planOf(database, deliveryQueries.backfillBatch).join(" | ")).toMatch(/deliveries_by_event \(event_sequence=\?\)/);
    } finally {
      database.close();
    }
  });

  it("keeps only deliveries in flight in the claim's per-pair index: an append writes no entry there", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    const reader = () => new Database(store.filename, { readonly: true });
    // Entries in the index's leaf pages, read from SQLite's page statistics.
    const entriesOfHeldIndex = () => {
      const database = reader();
      try {
        const row = database
          .prepare("SELECT coalesce(sum(ncell), 0) AS entries FROM dbstat WHERE name = 'deliveries_held_by_order_key' AND pagetype = 'leaf'")
          .get() as { entries: number };
        return row.entries;
      } finally {
        database.close();
      }
    };
    try {
      await store.append({ events: buildFriendEvents(500), sinks: ["primary"] });
      expect(entriesOfHeldIndex()).toBe(0);

      const claimed = await store.claimDeliveries({ sink: "primary", limit: 10, leaseMs: 60_000, now: Date.now() });
      expect(claimed).toHaveLength(10);
      expect(entriesOfHeldIndex()).toBe(10);

      const [first, second, ...rest] = claimed;
      await store.failDeliveries({ failures: [{ deliveryId: first?.deliveryId ?? "", error: "refused", retryAt: Date.now() + 60_000 }], now: Date.now() });
      await store.failDeliveries({ failures: [{ deliveryId: second?.deliveryId ?? "", error: "refused", deadLetter: true }], now: Date.now() });
      // The delivery waiting for its retry still holds its pair back; the dead letter holds nothing.
      expect(entriesOfHeldIndex()).toBe(9);
      await store.completeDeliveries({ deliveryIds: rest.map((delivery) => delivery.deliveryId) });
      expect(entriesOfHeldIndex()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("finds the users of events stored before version 5, from their stored JSON", async () => {
    const directory = temporaryDirectory();
    const database = new Database(join(directory, "friendhook.db"));
    for (const migration of migrations.slice(0, 3)) {
      if (typeof migration === "string") database.exec(migration);
      else migration(database);
    }
    database.pragma("user_version = 3");
    const events = buildFriendEvents(3) as [FriendEvent, FriendEvent, FriendEvent];
    const insertEvent = database.prepare("INSERT INTO events (id, provider, app_id, type, occurred_at, event) VALUES (?, ?, ?, ?, ?, ?)");
    for (const event of events) insertEvent.run(event.id, event.provider, event.appId, event.type, event.occurredAt, JSON.stringify(event));
    database.close();

    const store = createSqliteStore({ directory });
    try {
      // user-1 is the target of the first event and the actor of the second.
      const page = await store.listUserEvents({ provider: "testkit", appId: "demo#app", userId: "user-1" });
      expect(page.events).toEqual([events[0], events[1]]);
    } finally {
      await store.close();
    }
  });
});
