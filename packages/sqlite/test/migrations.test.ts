import { join } from "node:path";
import { deriveCallbackId, type FriendEvent } from "@friendhook/core";
import { buildFriendEvents } from "@friendhook/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore, schemaVersion } from "../src/index";
import { migrations } from "../src/migrations";
import { temporaryDirectory } from "./temporary-directory";

describe("SQLite store migration to stored callbacks", () => {
  // From version 1 (before the friend table's ordering windows) and from version 2 (just before this one).
  it.each([1, 2])("turns unrecognized records into stored callbacks and moves bodies kept in events into callbacks, losing nothing, from version %i", async (version) => {
    const directory = temporaryDirectory();
    // A file as that version of the schema left it.
    const database = new Database(join(directory, "friendhook.db"));
    for (const migration of migrations.slice(0, version)) database.exec(migration as string);
    database.pragma(`user_version = ${version}`);
    const unrecognized = [1, 2].map((number) => ({
      id: `unr_${String(number).padStart(32, "0")}`,
      provider: "easemob",
      appId: "demo#app",
      command: "roster:rename",
      reason: "unknown operation",
      receivedAt: "2024-01-01T00:00:00.000Z",
      body: JSON.stringify({ operation: "rename", number }),
    }));
    const insertUnrecognized = database.prepare(
      "INSERT INTO unrecognized_callbacks (id, provider, app_id, command, reason, received_at, body) VALUES (@id, @provider, @appId, @command, @reason, @receivedAt, @body)",
    );
    for (const record of unrecognized) insertUnrecognized.run(record);
    // Two views of one callback kept its body in `raw`, each; a third event kept none.
    const raw = { operation: "accept", from: "alice", to: "bob", msg_id: "9" };
    const [withRaw, sameRaw, withoutRaw] = buildFriendEvents(3) as [FriendEvent, FriendEvent, FriendEvent];
    const insertEvent = database.prepare("INSERT INTO events (id, provider, app_id, type, occurred_at, event) VALUES (?, ?, ?, ?, ?, ?)");
    for (const event of [{ ...withRaw, raw }, { ...sameRaw, raw }, withoutRaw]) {
      insertEvent.run(event.id, event.provider, event.appId, event.type, event.occurredAt, JSON.stringify(event));
    }
    database.prepare("INSERT INTO deliveries (sink, event_sequence, order_key, state) VALUES ('primary', 1, 'key', 'pending')").run();
    database.close();

    const store = createSqliteStore({ directory });
    try {
      const firstPage = await store.listUnrecognized({ limit: 1 });
      const { reason: _reason, ...first } = unrecognized[0] as (typeof unrecognized)[number];
      expect(firstPage.callbacks).toEqual([{ ...first, unrecognizedReason: "unknown operation" }]);
      // A cursor handed out before the migration reads on where it left off.
      expect((await store.listUnrecognized({ after: "1" })).callbacks.map((callback) => callback.id)).toEqual([unrecognized[1]?.id]);

      expect((await store.listEvents()).events).toEqual([withRaw, sameRaw, withoutRaw]);
      const source = await store.readCallback({ eventId: withRaw.id });
      expect(JSON.parse(source?.body ?? "null")).toEqual(raw);
      expect(source).toMatchObject({ provider: "testkit", appId: "demo#app", command: "testkit:add", receivedAt: withRaw.receivedAt });
      expect(source?.id).toBe(deriveCallbackId({ provider: "testkit", appId: "demo#app", command: "testkit:add", body: source?.body ?? "" }));
      expect(await store.readCallback({ eventId: sameRaw.id })).toEqual(source);
      expect(await store.readCallback({ eventId: withoutRaw.id })).toBeUndefined();
      expect((await store.claimDeliveries({ sink: "primary", limit: 10, leaseMs: 1000, now: 0 })).map((delivery) => delivery.event)).toEqual([withRaw]);

      // New callbacks follow the migrated ones.
      await store.append({ events: [], callback: { ...first, id: "cb_later", unrecognizedReason: "unknown operation" }, sinks: [] });
      expect((await store.listUnrecognized()).callbacks.map((callback) => callback.id)).toEqual([unrecognized[0]?.id, unrecognized[1]?.id, "cb_later"]);
    } finally {
      await store.close();
    }
    const migrated = new Database(join(directory, "friendhook.db"), { readonly: true });
    try {
      expect(migrated.pragma("user_version", { simple: true })).toBe(schemaVersion);
      expect(migrated.prepare("SELECT count(*) AS count FROM callbacks WHERE unrecognized_reason IS NULL").get()).toEqual({ count: 1 });
      expect(migrated.prepare("SELECT name FROM sqlite_master WHERE name = 'unrecognized_callbacks'").all()).toEqual([]);
    } finally {
      migrated.close();
    }
  });
});
