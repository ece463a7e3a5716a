import { deriveCallbackId, type FriendEvent } from "@friendhook/core";
import { buildFriendEvents, describeWithService } from "@friendhook/testkit";
import { describe, expect, it } from "vitest";
import { createPostgresStore, migrations } from "../src/index";
import { tableNames } from "../src/table-names";
import { connectionString, databaseHost, databasePort, useTestSchemas } from "./support/postgres-test-database";

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const { pool, newSchema } = useTestSchemas();

    /** A schema as the store left it at `version`: the migrations up to it applied, nothing after. */
    async function schemaAtVersion(version: number) {
      const schema = newSchema();
      const tables = tableNames(schema, "friendhook_");
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await pool.query(`CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const migration of migrations.filter((candidate) => candidate.version <= version)) {
        for (const statement of migration.statements(tables)) await pool.query(statement);
        await pool.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
      return { schema, tables };
    }

    describe("postgres store migration to stored callbacks", () => {
      // From version 3 (before the friend table's ordering windows) and from version 4 (just before this one).
      it.each([
        { version: 3, applied: [4, 5, 6, 7, 8, 9, 10] },
        { version: 4, applied: [5, 6, 7, 8, 9, 10] },
      ])("turns unrecognized records into stored callbacks and moves bodies kept in events into callbacks, losing nothing, from version $version", async ({ version, applied }) => {
        const { schema, tables } = await schemaAtVersion(version);
        const unrecognized = [1, 2].map((number) => ({
          id: `unr_${String(number).padStart(32, "0")}`,
          provider: "easemob",
          appId: "demo#app",
          command: "roster:rename",
          reason: "unknown operation",
          receivedAt: "2024-01-01T00:00:00.000Z",
          body: JSON.stringify({ operation: "rename", number }),
        }));
        for (const record of unrecognized) {
          await pool.query(
            `INSERT INTO "${schema}"."friendhook_unrecognized_callbacks" (id, provider, app_id, command, reason, received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [record.id, record.provider, record.appId, record.command, record.reason, record.receivedAt, record.body],
          );
        }
        // Two views of one callback kept its body in `raw`, each; a third event kept none.
        const raw = { operation: "accept", from: "alice", to: "bob", msg_id: "9" };
        const [withRaw, sameRaw, withoutRaw] = buildFriendEvents(3);
        const stored = [
          { ...withRaw, raw },
          { ...sameRaw, raw },
          withoutRaw,
        ] as Array<FriendEvent & { raw?: unknown }>;
        for (const event of stored) {
          await pool.query(
            `INSERT INTO ${tables.events} (id, provider, app_id, type, actor, target, mutual, occurred_at, received_at, event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [event.id, event.provider, event.appId, event.type, event.actor, event.target, event.mutual, event.occurredAt, event.receivedAt, JSON.stringify(event)],
          );
        }
        await pool.query(`INSERT INTO ${tables.deliveries} (sink, event_id, order_key, state) VALUES ('primary', $1, 'key', 'pending')`, [withRaw?.id]);

        const store = createPostgresStore({ connectionString, schema });
        expect(await store.migrate()).toEqual(applied);

        const firstPage = await store.listUnrecognized({ limit: 1 });
        expect(firstPage.callbacks).toEqual([{ ...withoutKey(unrecognized[0], "reason"), unrecognizedReason: "unknown operation" }]);
        // A cursor handed out before the migration reads on where it left off.
        expect((await store.listUnrecognized({ after: "1" })).callbacks.map((callback) => callback.id)).toEqual([unrecognized[1]?.id]);

        expect((await store.listEvents()).events).toEqual([withRaw, sameRaw, withoutRaw]);
        const source = await store.readCallback({ eventId: withRaw?.id ?? "" });
        expect(JSON.parse(source?.body ?? "null")).toEqual(JSON.parse(JSON.stringify(raw)));
        expect(source).toMatchObject({ provider: "testkit", appId: "demo#app", command: "testkit:add", receivedAt: withRaw?.receivedAt });
        expect(source?.id).toBe(deriveCallbackId({ provider: "testkit", appId: "demo#app", command: "testkit:add", body: source?.body ?? "" }));
        expect(await store.readCallback({ eventId: sameRaw?.id ?? "" })).toEqual(source);
        expect(await store.readCallback({ eventId: withoutRaw?.id ?? "" })).toBeUndefined();
        const bodies = await pool.query(`SELECT count(*)::int AS count FROM ${tables.callbacks} WHERE unrecognized_reason IS NULL`);
        expect(bodies.rows[0]).toEqual({ count: 1 });
        expect((await store.claimDeliveries({ sink: "primary", limit: 10, leaseMs: 1000, now: 0 })).map((delivery) => delivery.event)).toEqual([withRaw]);

        // New callbacks follow the migrated ones.
        const later = { ...withoutKey(unrecognized[0], "reason"), id: "cb_later", unrecognizedReason: "unknown operation" };
        await store.append({ events: [], callback: later, sinks: [] });
        expect((await store.listUnrecognized()).callbacks.map((callback) => callback.id)).toEqual([unrecognized[0]?.id, unrecognized[1]?.id, "cb_later"]);
        expect(await store.migrate()).toEqual([]);
        await store.close();
      });
    });
  },
  { host: databaseHost },
);

function withoutKey<Value extends object, Key extends keyof Value>(value: Value | undefined, key: Key): Omit<Value, Key> {
  const { [key]: _removed, ...rest } = value as Value;
  return rest;
}

describe("postgres migrations", () => {
  it("number their versions 1, 2, 3… once each, in order: two branches adding one must not both take a number", () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });
});
