import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import type { FriendEvent } from "@friendhook/core";
import { buildFriendEvent } from "@friendhook/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteFriendEventStore } from "../src/index";
import { openUserEventsReader, prepareUserEventsIndex, readStoreIdentity, userEventsIndexFilename } from "../src/user-events-index";
import { startUserEventsIndexThread } from "../src/user-events-index-thread";
import { temporaryDirectory } from "./temporary-directory";

/** Events among a few users, each one actor and target of several: user `u0` to `u4`, one app. */
function eventsAmongUsers(count: number, offset: number): FriendEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const sequence = offset + index;
    return buildFriendEvent(
      { id: `event-${sequence}`, actor: `u${sequence % 5}`, target: `u${(sequence * 3 + 1) % 5}`, appId: sequence % 7 === 0 ? "other#app" : "demo#app" },
      sequence,
    );
  });
}

/** What a user's events are: each appended event the user is actor or target of, in the app, in appended order. */
function expectedEventsOf(events: readonly FriendEvent[], userId: string, appId = "demo#app"): string[] {
  return events.filter((event) => event.appId === appId && (event.actor === userId || event.target === userId)).map((event) => event.id);
}

/** Every page of a user's events, `limit` at a time. */
async function allUserEvents(store: SqliteFriendEventStore, userId: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listUserEvents({ provider: "testkit", appId: "demo#app", userId, limit, ...(after !== undefined && { after }) });
    ids.push(...page.events.map((event) => event.id));
    if (page.events.length < limit || page.next === undefined) return ids;
    after = page.next;
  }
}

function readIndex(storeFilename: string) {
  const index = new Database(userEventsIndexFilename(storeFilename), { readonly: true });
  try {
    return {
      indexedThrough: (index.prepare("SELECT indexed_through FROM progress").pluck().get() as number) ?? 0,
      storeId: index.prepare("SELECT store_id FROM progress").pluck().get() as string,
      entries: index.prepare("SELECT count(*) FROM user_events").pluck().get() as number,
    };
  } finally {
    index.close();
  }
}

function identityOf(storeFilename: string) {
  const store = new Database(storeFilename, { readonly: true });
  try {
    return readStoreIdentity(store);
  } finally {
    store.close();
  }
}

/** How long a test waits for the index thread, checking as it goes: generous, for loaded machines. */
const threadDeadline = { timeout: 20_000 };

/** Moves the index back to `through`, as a thread that has not caught up would have left it. */
function rewindIndex(storeFilename: string, through: number): void {
  const index = new Database(userEventsIndexFilename(storeFilename));
  try {
    index.prepare("DELETE FROM user_events WHERE sequence > ?").run(through);
    index.prepare("UPDATE progress SET indexed_through = ?").run(through);
  } finally {
    index.close();
  }
}

describe("SQLite store: the index of events by user, in a file of its own", () => {
  it("is brought up to the store by its thread while the store is open, two entries per event", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    try {
      await store.append({ events: eventsAmongUsers(120, 0), sinks: [] });
      expect(existsSync(userEventsIndexFilename(store.filename))).toBe(true);
      await expect.poll(() => readIndex(store.filename).indexedThrough, { ...threadDeadline, message: "the index reaches the last event" }).toBe(120);
      // Each event once under its actor and once under its target, unless they are one user.
      const selfEvents = eventsAmongUsers(120, 0).filter((event) => event.actor === event.target).length;
      expect(readIndex(store.filename).entries).toBe(240 - selfEvents);
    } finally {
      await store.close();
    }
  });

  it("lists the same events, page by page, whether they come from the index, from the store's rows, or from both", async () => {
    const directory = temporaryDirectory();
    const events = [...eventsAmongUsers(90, 0), ...eventsAmongUsers(90, 90)];
    let store = createSqliteStore({ directory });
    await store.append({ events: events.slice(0, 90), sinks: [] });
    await store.append({ events: events.slice(90), sinks: [] });
    await expect.poll(() => readIndex(store.filename).indexedThrough, { ...threadDeadline, message: "the index reaches the last event" }).toBe(180);
    await store.close();

    for (const through of [180, 90, 37, 0]) {
      // Opened with the index held back to `through`; the thread would catch up within 250 ms,
      // so each listing below is compared whatever it has done by then, and once more after.
      rewindIndex(store.filename, through);
      store = createSqliteStore({ directory });
      try {
        for (const userId of ["u0", "u1", "u3"]) {
          const expected = expectedEventsOf(events, userId);
          expect(expected.length).toBeGreaterThan(20);
          for (const limit of [1, 7, 100]) expect(await allUserEvents(store, userId, limit), `through ${through}, ${userId}, ${limit}`).toEqual(expected);
        }
      } finally {
        await store.close();
      }
    }
  });

  it("reads what the index has not reached from the store's rows, and the rest from the index (no thread)", async () => {
    const directory = temporaryDirectory();
    const events = eventsAmongUsers(150, 0);
    const store = createSqliteStore({ directory });
    await store.append({ events, sinks: [] });
    await expect.poll(() => readIndex(store.filename).indexedThrough, { ...threadDeadline, message: "the index reaches the last event" }).toBe(150);
    await store.close();
    rewindIndex(store.filename, 60);

    const reader = openUserEventsReader(store.filename, 1000);
    const read = (limit: number, after = 0) =>
      reader.read({ provider: "testkit", appId: "demo#app", userId: "u2", after, limit }).map((row) => row.sequence);
    try {
      const expected = events.flatMap((event, index) => (event.appId === "demo#app" && (event.actor === "u2" || event.target === "u2") ? [index + 1] : []));
      expect(read(1000)).toEqual(expected);
      // A page that ends inside the index, one that spans its end, one past it.
      expect(read(5)).toEqual(expected.slice(0, 5));
      const indexedCount = expected.filter((sequence) => sequence <= 60).length;
      expect(read(indexedCount + 3)).toEqual(expected.slice(0, indexedCount + 3));
      expect(read(1000, 100)).toEqual(expected.filter((sequence) => sequence > 100));
    } finally {
      reader.close();
    }

    // Entries past the progress (a file written by two threads at once, say) are not listed twice.
    const index = new Database(userEventsIndexFilename(store.filename));
    index.prepare("UPDATE progress SET indexed_through = 30").run();
    index.close();
    const again = openUserEventsReader(store.filename, 1000);
    try {
      const listed = again.read({ provider: "testkit", appId: "demo#app", userId: "u2", after: 0, limit: 1000 }).map((row) => row.sequence);
      expect(listed).toEqual(events.flatMap((event, index) => (event.appId === "demo#app" && (event.actor === "u2" || event.target === "u2") ? [index + 1] : [])));
    } finally {
      again.close();
    }
  });

  it("never lists another user's event, whatever entry the index file holds", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory });
    await store.append({ events: eventsAmongUsers(40, 0), sinks: [] });
    await expect.poll(() => readIndex(store.filename).indexedThrough, { ...threadDeadline, message: "the index reaches the last event" }).toBe(40);
    await store.close();
    const index = new Database(userEventsIndexFilename(store.filename));
    // Every event listed under a user who is in none of them.
    index.prepare("INSERT OR IGNORE INTO user_events (provider, app_id, user_id, sequence) SELECT provider, app_id, 'mallory', sequence FROM user_events").run();
    index.close();

    const reopened = createSqliteStore({ directory });
    try {
      expect(await allUserEvents(reopened, "mallory", 100)).toEqual([]);
      expect(await allUserEvents(reopened, "u1", 100)).toEqual(expectedEventsOf(eventsAmongUsers(40, 0), "u1"));
    } finally {
      await reopened.close();
    }
  });

  it("rebuilds an index made from another store, or from a later state of this one (a copy restored from before it)", async () => {
    const first = createSqliteStore({ directory: temporaryDirectory() });
    const second = createSqliteStore({ directory: temporaryDirectory() });
    await first.append({ events: eventsAmongUsers(60, 0), sinks: [] });
    await second.append({ events: eventsAmongUsers(30, 1000), sinks: [] });
    await expect.poll(() => readIndex(first.filename).indexedThrough, { ...threadDeadline, message: "the first index reaches its last event" }).toBe(60);
    await first.close();
    await second.close();
    const secondStoreId = readIndex(second.filename).storeId;
    expect(readIndex(first.filename).storeId).not.toBe(secondStoreId);

    // The first store's index beside the second store: made anew for the second.
    copyFileSync(userEventsIndexFilename(first.filename), userEventsIndexFilename(second.filename));
    prepareUserEventsIndex(second.filename, identityOf(second.filename));
    expect(readIndex(second.filename)).toEqual({ indexedThrough: 0, storeId: secondStoreId, entries: 0 });

    // An index ahead of its store: made anew too.
    const identity = identityOf(first.filename);
    prepareUserEventsIndex(first.filename, { ...identity, lastSequence: 59 });
    expect(readIndex(first.filename)).toMatchObject({ indexedThrough: 0, entries: 0 });
    // A file that is not a database at all: made anew.
    writeFileSync(userEventsIndexFilename(second.filename), "not a database, whatever it was".repeat(200));
    prepareUserEventsIndex(second.filename, identityOf(second.filename));
    expect(readIndex(second.filename)).toEqual({ indexedThrough: 0, storeId: secondStoreId, entries: 0 });
    // One that matches is kept as it is.
    rewindIndex(first.filename, 20);
    const kept = readIndex(first.filename);
    prepareUserEventsIndex(first.filename, identity);
    expect(readIndex(first.filename)).toEqual(kept);
  });

  it("drops the entries of pruned events when it next catches up", async () => {
    const store = createSqliteStore({ directory: temporaryDirectory() });
    try {
      await store.append({ events: eventsAmongUsers(50, 0), sinks: [] });
      await expect.poll(() => readIndex(store.filename).indexedThrough, { ...threadDeadline, message: "the index reaches the last event" }).toBe(50);
      expect(readIndex(store.filename).entries).toBeGreaterThan(50);
      const everything = { eventsReceivedBefore: Date.UTC(2100, 0, 1), deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 500 };
      expect((await store.prune(everything)).events).toBe(50);
      expect(await allUserEvents(store, "u1", 100)).toEqual([]);
      await expect.poll(() => readIndex(store.filename).entries, { ...threadDeadline, message: "the pruned events' entries are dropped" }).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("catches up a batch at a time on a thread of its own, and ends when closed", async () => {
    const directory = temporaryDirectory();
    const store = createSqliteStore({ directory });
    const events = Array.from({ length: 25_000 }, (_, index) => buildFriendEvent({ id: `bulk-${index}`, actor: `a${index % 1000}`, target: `t${index % 997}` }, index));
    for (let offset = 0; offset < events.length; offset += 5000) await store.append({ events: events.slice(offset, offset + 5000), sinks: [] });
    await store.close();
    rewindIndex(store.filename, 0);
    expect(identityOf(store.filename).lastSequence).toBe(25_000);

    const thread = startUserEventsIndexThread(store.filename);
    try {
      expect(await thread.catchUp()).toBe(25_000);
      expect(readIndex(store.filename)).toMatchObject({ indexedThrough: 25_000, entries: 50_000 });
      expect(await thread.catchUp()).toBe(25_000);
    } finally {
      await thread.close();
    }
    expect(thread.running).toBe(false);
  });
});
