import { join } from "node:path";
import { type FriendEvent, FriendhookError } from "@friendhook/core";
import { buildFriendEvent, buildFriendEvents } from "@friendhook/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore, schemaVersion } from "../src/index";
import { temporaryDirectory } from "./temporary-directory";

describe("SQLite store", () => {
  it("opens its file in WAL mode, flushing the WAL itself after each commit, at the current schema version", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory, filename: "receiver.db" });
    expect(store.filename).toBe(join(directory, "receiver.db"));
    expect(store.durabilitySettings()).toEqual({ journalMode: "wal", synchronous: "normal", walFlushed: true });
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

describe("SQLite store: disk use under retention", () => {
  const pagesOf = (filename: string) => {
    const database = new Database(filename, { readonly: true });
    try {
      return {
        pages: database.pragma("page_count", { simple: true }) as number,
        free: database.pragma("freelist_count", { simple: true }) as number,
        autoVacuum: database.pragma("auto_vacuum", { simple: true }) as number,
      };
    } finally {
      database.close();
    }
  };
  const padded = (count: number, offset: number) =>
    buildFriendEvents(count, offset).map((event) => ({ ...event, details: { ...event.details, note: "x".repeat(1000) } }) as FriendEvent);
  const everything = { eventsReceivedBefore: Date.UTC(2100, 0, 1), deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 500 };

  it("hands the pages pruning freed back to the file system, and the file grows no larger when refilled", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    try {
      // Incremental vacuum is set before the first table exists.
      expect(pagesOf(store.filename).autoVacuum).toBe(2);
      for (let offset = 0; offset < 3000; offset += 300) await store.append({ events: padded(300, offset), sinks: [] });
      const full = pagesOf(store.filename).pages;
      while ((await store.prune(everything)).events > 0);
      expect((await store.measure()).events).toBe(0);
      const emptied = pagesOf(store.filename);
      // What is left: the schema, the friend table, and a few free pages kept for the next appends.
      expect(emptied.pages).toBeLessThan(full / 4);
      for (let offset = 3000; offset < 6000; offset += 300) await store.append({ events: padded(300, offset), sinks: [] });
      expect(pagesOf(store.filename).pages).toBeLessThanOrEqual(full * 1.1);
      expect((await store.measure()).events).toBe(3000);
    } finally {
      await store.close();
    }
  });

  it("switches a file made without incremental vacuum to it when it opens it, keeping every row", async () => {
    const directory = temporaryDirectory();
    const first = createSqliteStore({ directory });
    const events = padded(50, 0);
    await first.append({ events, sinks: ["memory"] });
    await first.close();
    const database = new Database(first.filename);
    database.pragma("auto_vacuum = NONE");
    database.exec("VACUUM");
    expect(database.pragma("auto_vacuum", { simple: true })).toBe(0);
    database.close();
    const reopened = createSqliteStore({ directory });
    try {
      expect(pagesOf(reopened.filename).autoVacuum).toBe(2);
      expect((await reopened.listEvents()).events).toEqual(events);
      expect(await reopened.countDeliveries()).toEqual([{ sink: "memory", pending: 50, deadLettered: 0 }]);
    } finally {
      await reopened.close();
    }
  });
});
