import { join } from "node:path";
import { deriveEventId, type FriendEvent } from "@friendhook/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../src/index";
import { migrations } from "../src/migrations";
import { temporaryDirectory } from "./temporary-directory";

const app = { provider: "tencent", appId: "1400000000" } as const;
const receivedAt = Date.UTC(2024, 4, 1, 12);

function event(type: FriendEvent["type"], actor: string, target: string, occurredAt: string, source: FriendEvent["occurredAtSource"]): FriendEvent {
  return {
    id: deriveEventId({ ...app, type, parts: [actor, target, occurredAt] }),
    type,
    ...app,
    actor,
    target,
    mutual: false,
    occurredAt,
    occurredAtSource: source,
    receivedAt: new Date(receivedAt).toISOString(),
    source: { command: "Sns.CallbackBlackListAdd" },
    details: {},
  } as FriendEvent;
}

describe("SQLite friend table migration to ordering windows", () => {
  it("keeps every register and lifts a block dated 9999 at the next real unblock", async () => {
    const directory = temporaryDirectory();
    // A file as the version before this one left it, with rows written by its rule.
    const database = new Database(join(directory, "friendhook.db"));
    database.exec(migrations[0] as string);
    database.pragma("user_version = 1");
    const friendship = event("friend.added", "ann", "bob", new Date(receivedAt).toISOString(), "received");
    const forged = event("friend.blocked", "ann", "mal", "9999-12-31T23:59:59.000Z", "provider-seconds");
    for (const stored of [friendship, forged]) {
      database
        .prepare("INSERT INTO events (id, provider, app_id, type, occurred_at, event) VALUES (?, ?, ?, ?, ?, ?)")
        .run(stored.id, stored.provider, stored.appId, stored.type, stored.occurredAt, JSON.stringify(stored));
    }
    const register = database.prepare(
      `INSERT INTO friend_relations (provider, app_id, owner, relation, other, value, version_occurred_at, version_event_id)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    register.run(app.provider, app.appId, "ann", "friend", "bob", receivedAt, friendship.id);
    register.run(app.provider, app.appId, "ann", "blocked", "mal", Date.parse(forged.occurredAt), forged.id);
    database.close();

    const store = createSqliteStore({ directory });
    try {
      expect(await store.friendsOf({ ...app, userId: "ann" })).toEqual({ friends: ["bob"], blocked: ["mal"] });
      const reader = new Database(store.filename, { readonly: true });
      const rows = reader.prepare("SELECT other, event_id, occurred_at, not_before FROM friend_relations ORDER BY other").all();
      reader.close();
      expect(rows).toEqual([
        { other: "bob", event_id: friendship.id, occurred_at: receivedAt, not_before: receivedAt - 5_000 },
        // The time dated 9999 counts as its receive time plus the skew.
        { other: "mal", event_id: forged.id, occurred_at: Date.parse(forged.occurredAt), not_before: receivedAt },
      ]);
      const unblocked = { ...event("friend.unblocked", "ann", "mal", new Date(receivedAt + 60_000).toISOString(), "provider-seconds"), receivedAt: new Date(receivedAt + 60_000).toISOString() };
      await store.append({ events: [unblocked], sinks: [] });
      expect(await store.friendsOf({ ...app, userId: "ann" })).toEqual({ friends: ["bob"], blocked: [] });
    } finally {
      await store.close();
    }
  });
});
