import { type FriendEvent, SinkError } from "@friendhook/core";
import { buildFriendEvent, describeWithService } from "@friendhook/testkit";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPostgresSink, migrations, type PostgresSink } from "../src/index";
import { connectionString, createTestPool, databaseHost, databasePort, dropSchema, uniqueSchemaName } from "./support/postgres-test-database";

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

      it("keeps a removal as a tombstone that an addition clearly older than it cannot undo", async () => {
        const added = relationshipEvent("friend.added", "ann", "bob", 1);
        const removed = relationshipEvent("friend.removed", "bob", "ann", 60);
        await sink.deliver([removed]);
        await sink.deliver([added]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });
        const rows = await pool.query(`SELECT active, event_id, not_before FROM ${sink.tables.friendRelations} ORDER BY owner_id`);
        const notBefore = new Date(Date.parse(removed.occurredAt) - 5_000);
        expect(rows.rows).toEqual([
          { active: false, event_id: removed.id, not_before: notBefore },
          { active: false, event_id: removed.id, not_before: notBefore },
        ]);
        await sink.deliver([relationshipEvent("friend.added", "ann", "bob", 90)]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
      });

      it("orders changes its times cannot tell apart by arrival: its own without a context", async () => {
        const removed = relationshipEvent("friend.removed", "ann", "bob", 4);
        const added = relationshipEvent("friend.added", "ann", "bob", 3);
        await sink.deliver([removed]);
        await sink.deliver([added]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
      });

      it("orders them by the store's sequences when given, in a batch and across a redelivery", async () => {
        const added = relationshipEvent("friend.added", "ann", "bob", 3);
        const removed = relationshipEvent("friend.removed", "ann", "bob", 4);
        // One batch, listed out of order: the sequences say the add arrived last.
        await sink.deliver([added, removed], { sequences: [11, 10] });
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
        // A dead letter replayed: the block arrived before the unblock the sink already has.
        const blocked = relationshipEvent("friend.blocked", "ann", "bob", 5);
        const unblocked = relationshipEvent("friend.unblocked", "ann", "bob", 6);
        await sink.deliver([unblocked], { sequences: [13] });
        await sink.deliver([blocked], { sequences: [12] });
        await sink.deliver([blocked], { sequences: [12] });
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
        const rows = await pool.query(`SELECT relation, event_id, sequence FROM ${sink.tables.friendRelations} WHERE owner_id = 'ann' ORDER BY relation`);
        expect(rows.rows).toEqual([
          { relation: "blocked", event_id: unblocked.id, sequence: "13" },
          { relation: "friend", event_id: added.id, sequence: "11" },
        ]);
      });

      it("refuses a context whose sequences do not match the events, storing nothing", async () => {
        const failure = await sink.deliver([relationshipEvent("friend.added", "ann", "bob", 1)], { sequences: [] }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SinkError);
        expect((await pool.query(`SELECT count(*)::int AS count FROM ${sink.tables.events}`)).rows).toEqual([{ count: 0 }]);
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
        await pool.query(`CREATE TRIGGER refuse_poison BEFORE INSERT ON ${sink.tables.friendRelations}
          FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_poison()`);
        const batch = [
          relationshipEvent("friend.added", "ann", "bob", 1),
          relationshipEvent("friend.added", "cyd", "poison", 2),
        ];
        const failure = await sink.deliver(batch).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SinkError);
        expect((await pool.query(`SELECT count(*)::int AS count FROM ${sink.tables.events}`)).rows).toEqual([{ count: 0 }]);
        expect(await friendsOf("ann")).toEqual({ friends: [], blocked: [] });

        await pool.query(`DROP TRIGGER refuse_poison ON ${sink.tables.friendRelations}`);
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

    describe("postgres friend table migration to ordering windows", () => {
      it("keeps every register and lifts a block dated 9999 at the next real unblock", async () => {
        const old = createPostgresSink({ connectionString, schema, migrate: false });
        const { tables } = old;
        // The schema as the version before this one left it, with rows written by its rule.
        await pool.query(`CREATE SCHEMA "${schema}"`);
        await pool.query(`CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        for (const migration of migrations.filter((candidate) => candidate.version <= 3)) {
          for (const statement of migration.statements(tables)) await pool.query(statement);
          await pool.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        }
        const receivedAt = Date.UTC(2024, 4, 1, 12);
        const friendship = relationshipEvent("friend.added", "ann", "bob", 0, { receivedAt: new Date(receivedAt).toISOString() });
        const forged = relationshipEvent("friend.blocked", "ann", "mal", 0, {
          occurredAt: "9999-12-31T23:59:59.000Z",
          occurredAtSource: "provider-seconds",
          receivedAt: new Date(receivedAt).toISOString(),
        });
        for (const event of [friendship, forged]) {
          await pool.query(
            `INSERT INTO ${tables.events} (id, provider, app_id, type, actor, target, mutual, occurred_at, received_at, event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [event.id, event.provider, event.appId, event.type, event.actor, event.target, event.mutual, event.occurredAt, event.receivedAt, JSON.stringify(event)],
          );
        }
        // Before version 7 the friend table was named friend_edges.
        const friendEdges = `"${tables.schema}"."${tables.tablePrefix}friend_edges"`;
        await pool.query(
          `INSERT INTO ${friendEdges} (provider, app_id, owner_id, relation, other_id, active, occurred_at, event_id) VALUES
             ($1, $2, 'ann', 'friend', 'bob', true, $3, $4), ($1, $2, 'bob', 'friend', 'ann', true, $3, $4),
             ($1, $2, 'ann', 'blocked', 'mal', true, '9999-12-31T23:59:59.000Z', $5)`,
          [app.provider, app.appId, friendship.occurredAt, friendship.id, forged.id],
        );
        await old.close();

        // Migrations 4 and 5 bring the ordering windows; later ones (retention, …) follow them.
        expect((await sink.migrate()).slice(0, 2)).toEqual([4, 5]);
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: ["mal"] });
        // A query written against the old name still reads the same registers.
        const byOldName = await pool.query(`SELECT owner_id, other_id FROM ${friendEdges} WHERE relation = 'blocked' AND active`);
        expect(byOldName.rows).toEqual([{ owner_id: "ann", other_id: "mal" }]);
        expect(await friendsOf("bob")).toEqual({ friends: ["ann"], blocked: [] });
        const forgedRow = await pool.query(`SELECT not_before, sequence FROM ${tables.friendRelations} WHERE other_id = 'mal'`);
        expect(forgedRow.rows).toEqual([{ not_before: new Date(receivedAt), sequence: null }]);

        const unblocked = relationshipEvent("friend.unblocked", "ann", "mal", 0, {
          occurredAt: new Date(receivedAt + 60_000).toISOString(),
          receivedAt: new Date(receivedAt + 60_000).toISOString(),
        });
        await sink.deliver([unblocked], { sequences: [1] });
        expect(await friendsOf("ann")).toEqual({ friends: ["bob"], blocked: [] });
      });
    });
  },
  { host: databaseHost },
);
