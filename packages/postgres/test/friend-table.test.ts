import { type FriendEvent, SinkError } from "@friendhook/core";
import { buildFriendEvent, describeWithService } from "@friendhook/testkit";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPostgresSink, type PostgresSink } from "../src/index";
import { connectionString, createTestPool, databaseHost, databasePort, dropSchema, uniqueSchemaName } from "./postgres-test-database";

const app = { provider: "easemob", appId: "org#app" } as const;

let sequence = 0;
/** A relationship event between two users at `second` seconds past a fixed instant. */
function relationshipEvent(
  type: FriendEvent["type"],
  actor: string,
  target: string,
  second: number,
  overrides: Partial<FriendEvent> = {},
): FriendEvent {
  sequence += 1;
  const occurredAt = new Date(Date.UTC(2024, 4, 1) + second * 1000).toISOString();
  return buildFriendEvent({
    ...app,
    id: `evt_${String(sequence).padStart(4, "0")}`,
    type,
    actor,
    target,
    mutual: type === "friend.added" || type === "friend.removed",
    occurredAt,
    occurredAtSource: "provider-milliseconds",
    receivedAt: occurredAt,
    details: type === "friend.operation.failed" ? { attemptedType: "friend.added", failureCode: "forbidden" } : {},
    ...overrides,
  } as Partial<FriendEvent>);
}

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const pool = createTestPool();
    let schema: string;
    let sink: PostgresSink;

    beforeEach(() => {
      schema = uniqueSchemaName();
      sink = createPostgresSink({ connectionString, schema });
    });
    afterEach(async () => {
      await sink.close();
      await dropSchema(pool, schema);
    });
    afterAll(() => pool.end());

    const friendsOf = (userId: string) => sink.friendsOf({ ...app, userId });

    describe("postgres friend table", () => {
      it("adds a mutual friendship in both directions and lists friends sorted", async () => {
        await sink.deliver([
          relationshipEvent("friend.added", "ann", "cyd", 1),
          relationshipEvent("friend.added", "ann", "bob", 2),
        ]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob", "cyd"], blocked: [] });
        expect(await friendsOf("bob")).toEqual({ friends: ["ann"], blocked: [] });
        expect(await friendsOf("nobody")).toEqual({ friends: [], blocked: [] });
      });

      it("keeps a removal as a tombstone that an older, late addition cannot undo", async () => {
        const added = relationshipEvent("friend.added", "ann", "bob", 1);
        const removed = relationshipEvent("friend.removed", "bob", "ann", 5);
        await sink.deliver([removed]);
        await sink.deliver([added]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });
        const rows = await pool.query(`SELECT active, event_id FROM ${sink.tables.friendEdges} ORDER BY owner_id`);
        expect(rows.rows).toEqual([
          { active: false, event_id: removed.id },
          { active: false, event_id: removed.id },
        ]);
        await sink.deliver([relationshipEvent("friend.added", "ann", "bob", 6)]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
      });

      it("breaks a tie of equal times by the greater event id", async () => {
        const lowerId = relationshipEvent("friend.added", "ann", "bob", 3, { id: "evt_a" });
        const greaterId = relationshipEvent("friend.removed", "ann", "bob", 3, { id: "evt_b" });
        await sink.deliver([greaterId, lowerId]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });
      });

      it("compares times at millisecond precision", async () => {
        const earlier = relationshipEvent("friend.added", "ann", "bob", 0, {
          id: "evt_z",
          occurredAt: "2024-05-01T00:00:00.001Z",
        });
        const later = relationshipEvent("friend.removed", "ann", "bob", 0, {
          id: "evt_a",
          occurredAt: "2024-05-01T00:00:00.002Z",
        });
        await sink.deliver([later, earlier]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });
      });

      it("blocks one way, independently of the friendship", async () => {
        await sink.deliver([
          relationshipEvent("friend.added", "ann", "bob", 1),
          relationshipEvent("friend.blocked", "ann", "bob", 2),
        ]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: ["bob"] });
        expect(await friendsOf("bob")).toEqual({ friends: ["ann"], blocked: [] });
        await sink.deliver([relationshipEvent("friend.unblocked", "ann", "bob", 3)]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
      });

      it("blocks both ways when the block is mutual", async () => {
        await sink.deliver([relationshipEvent("friend.blocked", "ann", "bob", 1, { mutual: true })]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: ["bob"] });
        expect(await friendsOf("bob")).toEqual({ friends: [], blocked: ["ann"] });
      });

      it("changes nothing for requests and failed operations, but stores them", async () => {
        const events = [
          relationshipEvent("friend.request.sent", "ann", "bob", 1),
          relationshipEvent("friend.request.accepted", "bob", "ann", 2),
          relationshipEvent("friend.operation.failed", "ann", "bob", 3),
        ];
        await sink.deliver(events);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });
        expect(await friendsOf("bob")).toEqual({ friends: [], blocked: [] });
        const stored = await pool.query(`SELECT id FROM ${sink.tables.events} ORDER BY sequence`);
        expect(stored.rows.map((row) => row.id)).toEqual(events.map((event) => event.id));
      });

      it("keeps apps and providers apart", async () => {
        await sink.deliver([
          relationshipEvent("friend.added", "ann", "bob", 1),
          relationshipEvent("friend.added", "ann", "cyd", 2, { appId: "org#other" }),
          relationshipEvent("friend.added", "ann", "dan", 3, { provider: "tencent" }),
        ]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
        expect(await sink.friendsOf({ provider: "easemob", appId: "org#other", userId: "ann" })).toEqual({
          friends: ["cyd"],
          blocked: [],
        });
      });

      it("stores a batch whole or not at all", async () => {
        await sink.migrate();
        // A trigger stands in for a failure half way through the batch: after the events are
        // inserted, at the friend-table write of one user.
        await pool.query(`CREATE FUNCTION "${schema}".refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.owner_id = 'poison' THEN RAISE EXCEPTION 'refused'; END IF;
            RETURN NEW;
          END $$`);
        await pool.query(`CREATE TRIGGER refuse_poison BEFORE INSERT ON ${sink.tables.friendEdges}
          FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_poison()`);
        const batch = [
          relationshipEvent("friend.added", "ann", "bob", 1),
          relationshipEvent("friend.added", "cyd", "poison", 2),
        ];
        const failure = await sink.deliver(batch).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SinkError);
        expect((await pool.query(`SELECT count(*)::int AS count FROM ${sink.tables.events}`)).rows).toEqual([{ count: 0 }]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });

        await pool.query(`DROP TRIGGER refuse_poison ON ${sink.tables.friendEdges}`);
        await sink.deliver(batch);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
        expect(await friendsOf("poison")).toEqual({ friends: ["cyd"], blocked: [] });
      });

      it("refuses a batch holding an event it can never store, storing none of it; the event alone permanently", async () => {
        const unstorable = relationshipEvent("friend.added", "ann", "bob", 1, {
          source: { command: "roster:add", host: "nul\u0000byte" },
        });
        const failure = await sink.deliver([relationshipEvent("friend.added", "cyd", "dan", 0), unstorable]).catch(
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(SinkError);
        // Which of the two it is, the server does not say: the receiver delivers them apart to find out.
        expect((failure as SinkError).permanent).toBe(false);
        expect(await friendsOf("cyd")).toEqual({ friends: [], blocked: [] });
        const alone = await sink.deliver([unstorable]).catch((error: unknown) => error);
        expect((alone as SinkError).permanent).toBe(true);
      });
    });
  },
  { host: databaseHost },
);
