import { join } from "node:path";
import { type FriendEvent, FriendhookError } from "@friendhook/core";
import { buildFriendEvent, buildFriendEvents } from "@friendhook/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore, schemaVersion } from "../src/index";
import { temporaryDirectory } from "./temporary-directory";

describe("SQLite store", () => {
  it("opens its file in WAL mode with synchronous=FULL, at the current schema version", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory, filename: "receiver.db" });
    expect(store.filename).toBe(join(directory, "receiver.db"));
    expect(store.durabilitySettings()).toEqual({ journalMode: "wal", synchronous: "full" });
    await store.close();
    const database = new Database(store.filename, { readonly: true });
    try {
      expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(database.pragma("user_version", { simple: true })).toBe(schemaVersion);
    } finally {
      database.close();
    }
  });

  it("commits appends that arrive together in one transaction, resolving each after the commit", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    try {
      const events = buildFriendEvents(100);
      const results = await Promise.all(events.map((event) => store.append({ events: [event], sinks: ["memory"] })));
      expect(results.every((result) => result.inserted === 1)).toBe(true);
      expect(store.statistics()).toEqual({ appends: 100, appendTransactions: 1 });
      await store.append({ events: buildFriendEvents(1, 500), sinks: [] });
      expect(store.statistics()).toEqual({ appends: 101, appendTransactions: 2 });
      expect((await store.listEvents({ limit: 1000 })).events).toEqual([...events, ...buildFriendEvents(1, 500)]);
    } finally {
      await store.close();
    }
  });

  it("rolls back only the append that failed within a group commit", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    try {
      // A BigInt cannot be serialized: this append fails while the others in its transaction commit.
      const unserializable = buildFriendEvent({ raw: { sequence: 1n } } as Partial<FriendEvent>, 7);
      const [first, failed, last] = await Promise.allSettled([
        store.append({ events: buildFriendEvents(2, 0), sinks: ["memory"] }),
        store.append({ events: [unserializable], sinks: ["memory"] }),
        store.append({ events: buildFriendEvents(2, 2), sinks: ["memory"] }),
      ]);
      expect(first).toMatchObject({ status: "fulfilled", value: { inserted: 2 } });
      expect(failed?.status).toBe("rejected");
      expect(last).toMatchObject({ status: "fulfilled", value: { inserted: 2 } });
      expect(store.statistics().appendTransactions).toBe(1);
      expect((await store.listEvents()).events).toEqual(buildFriendEvents(4));
      expect(await store.countDeliveries()).toEqual([{ sink: "memory", pending: 4, deadLettered: 0 }]);
    } finally {
      await store.close();
    }
  });

  it("writes delivery bookkeeping in the appends' transaction, committed before it resolves", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory });
    const events = buildFriendEvents(3);
    const lease = { sink: "memory", limit: 10, leaseMs: 60_000, now: 1 };
    const [appended, claimed] = await Promise.all([store.append({ events, sinks: ["memory"] }), store.claimDeliveries(lease)]);
    expect(appended.inserted).toBe(3);
    // Submitted after the append in the same turn: same transaction, so the claim sees its events.
    expect(claimed.map((delivery) => delivery.event)).toEqual(events);
    expect(store.statistics()).toEqual({ appends: 1, appendTransactions: 1 });
    const [first, second] = claimed;
    await Promise.all([
      store.completeDeliveries({ deliveryIds: [first?.deliveryId ?? ""] }),
      store.failDeliveries({ failures: [{ deliveryId: second?.deliveryId ?? "", error: "refused", deadLetter: true }], now: 2 }),
      store.append({ events: buildFriendEvents(1, 3), sinks: [] }),
    ]);
    expect(store.statistics()).toEqual({ appends: 2, appendTransactions: 2 });
    await store.close();
    const database = new Database(store.filename, { readonly: true });
    try {
      const rows = database.prepare("SELECT state FROM deliveries ORDER BY id").all();
      expect(rows).toEqual([{ state: "dead" }, { state: "pending" }]);
    } finally {
      database.close();
    }
  });

  it("finishes queued appends before closing, and refuses work once closed", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    const appended = store.append({ events: buildFriendEvents(3), sinks: [] });
    await store.close();
    await expect(appended).resolves.toMatchObject({ inserted: 3 });
    const closed = { name: "FriendhookError", code: "store_unavailable", status: 503, message: "The SQLite store is closed." };
    await expect(store.append({ events: buildFriendEvents(1, 9), sinks: [] })).rejects.toMatchObject(closed);
    await expect(store.listEvents()).rejects.toMatchObject(closed);
    await expect(store.claimDeliveries({ sink: "memory", limit: 1, leaseMs: 1000, now: 0 })).rejects.toMatchObject(closed);
    await expect(store.friendsOf({ provider: "demo", appId: "demo#app", userId: "bob" })).rejects.toMatchObject(closed);
    const reopened = createSqliteStore({ directory: store.filename.replace(/\/friendhook\.db$/, "") });
    expect((await reopened.listEvents()).events).toHaveLength(3);
    await reopened.close();
  });

  it("refuses a database written by a newer schema", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory });
    await store.close();
    const database = new Database(store.filename);
    database.pragma(`user_version = ${schemaVersion + 1}`);
    database.close();
    expect(() => createSqliteStore({ directory })).toThrow(/newer than this @friendhook\/sqlite knows/);
  });

  it("refuses mistyped options at construction with a clear message", () => {
    const directory = temporaryDirectory();
    expect(() => createSqliteStore({ directory, fileName: "x.db" } as never)).toThrow(FriendhookError);
    expect(() => createSqliteStore({ directory, fileName: "x.db" } as never)).toThrow(/Unrecognized key.*fileName/);
    expect(() => createSqliteStore({ directory, filename: "nested/x.db" })).toThrow(/not a path/);
    expect(() => createSqliteStore({} as never)).toThrow(/directory/);
  });
});
