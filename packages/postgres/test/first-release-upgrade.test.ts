import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeWithService } from "@friendhook/testkit";
import { expect, it } from "vitest";
import { createPostgresStore, migrations } from "../src/index";
import { connectionString, databaseHost, databasePort, useTestSchemas } from "./support/postgres-test-database";

const fixture = readFileSync(join(import.meta.dirname, "fixtures/first-release.sql"), "utf8");
const app = { provider: "easemob", appId: "acme#chat" };

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const { pool, newSchema } = useTestSchemas();

    it("opens a schema the first release wrote, migrates it to the current one and loses nothing", async () => {
      const schema = newSchema();
      await pool.query(fixture.replaceAll("__schema__", schema));
      const before = (await pool.query<{ id: string; event: Record<string, unknown> }>(`SELECT id, event FROM "${schema}".friendhook_events ORDER BY sequence`)).rows;

      const store = createPostgresStore({ connectionString, schema });
      try {
        expect(await store.migrate()).toEqual(migrations.map((migration) => migration.version).filter((version) => version > 3));
        const events = (await store.listEvents()).events;
        expect(events.map((event) => event.id)).toEqual(before.map((row) => row.id));
        for (const [index, event] of events.entries()) {
          const { raw: _raw, ...original } = before[index]?.event ?? {};
          expect(event).toEqual(original);
        }
        const kept = await store.readCallback({ eventId: before[0]?.id ?? "" });
        expect(JSON.parse(kept?.body ?? "null")).toEqual({ operation: "add", from: "erin", to: "frank", reason: "hi" });
        expect((await store.listUnrecognized()).callbacks).toMatchObject([{ command: "roster:rename", unrecognizedReason: "The operation rename is not one the adapter knows." }]);

        expect(await store.friendsOf({ ...app, userId: "alice" })).toEqual({ friends: ["bob"], blocked: ["mallory"] });
        expect(await store.friendsOf({ ...app, userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
        expect(await store.friendsOf({ ...app, userId: "carol" })).toEqual({ friends: [], blocked: [] });

        expect((await store.listDeadLetters()).deadLetters).toMatchObject([
          { sink: "primary", attempts: 3, lastError: "HTTP 503 from the sink", deadLetteredAt: "2025-11-20T09:00:00.000Z", event: { id: before[2]?.id } },
        ]);
        expect(await store.countDeliveries()).toEqual([{ sink: "primary", pending: 2, deadLettered: 1 }]);
        const now = Date.UTC(2025, 10, 20, 8, 5, 0);
        expect((await store.claimDeliveries({ sink: "primary", limit: 10, leaseMs: 1000, now: now - 1 })).map((delivery) => delivery.event.id)).toEqual([before[1]?.id]);
        expect((await store.claimDeliveries({ sink: "primary", limit: 10, leaseMs: 1000, now })).map((delivery) => [delivery.event.id, delivery.attempts])).toEqual([[before[4]?.id, 1]]);

        // A late change older than the tombstone is still refused by the migrated registers.
        const late = { ...events[3], id: "evt_late", occurredAt: "2025-11-20T08:00:05.000Z", receivedAt: "2025-11-20T08:10:00.000Z" } as (typeof events)[number];
        expect(await store.append({ events: [late], sinks: [] })).toMatchObject({ inserted: 1 });
        expect(await store.friendsOf({ ...app, userId: "carol" })).toEqual({ friends: [], blocked: [] });
        expect((await store.prune({ eventsReceivedBefore: Date.UTC(2026, 0, 1), deadLettersBefore: 0, callbacksReceivedBefore: 0, tombstonesBefore: 0, batchSize: 100 })).events).toBe(3);
      } finally {
        await store.close();
      }
    });
  },
  { host: databaseHost },
);
