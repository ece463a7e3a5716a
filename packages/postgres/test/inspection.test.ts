import { buildFriendEvents, describeWithService } from "@friendhook/testkit";
import { afterAll, expect, it } from "vitest";
import { createPostgresStore } from "../src/index";
import { backfillBatchQuery } from "../src/backfills";
import { claimCandidatesQuery } from "../src/deliveries";
import { inspectionQueries } from "../src/inspection";
import { connectionString, createTestPool, databasePort, dropSchema, uniqueSchemaName } from "./support/postgres-test-database";

/** Sample parameters for each query: `$1`… in order. */
const parametersOf: Record<keyof ReturnType<typeof inspectionQueries>, unknown[]> = {
  userEventsAsActor: ["testkit", "demo#app", "user-1", 0, 100],
  userEventsAsTarget: ["testkit", "demo#app", "user-1", 0, 100],
  latestEvents: [100],
  pending: ["primary"],
  deadLettered: ["primary"],
  failed: ["primary"],
  oldestPending: ["primary"],
  storedSince: [0],
  deliveredSince: [0],
  pruneStored: [0],
  pruneDelivered: [0],
};

describeWithService("PostgreSQL: the queries of an operator's view", databasePort, () => {
  const pool = createTestPool();
  const schema = uniqueSchemaName();
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it("read index ranges, never every row (EXPLAIN with sequential scans disabled)", async () => {
    const store = createPostgresStore({ connectionString, schema });
    await store.append({ events: buildFriendEvents(50), sinks: ["primary"] });
    const queries = inspectionQueries(store.tables);
    await store.close();
    const client = await pool.connect();
    try {
      // A table of a few rows is cheaper to read whole, and the planner would say so. With
      // sequential scans priced out, a plan that still has one has no index to use.
      await client.query("SET enable_seqscan = off");
      await client.query("ANALYZE " + store.tables.events);
      for (const [name, sql] of Object.entries(queries)) {
        const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, parametersOf[name as keyof typeof queries]);
        const plan = result.rows.map((row) => row["QUERY PLAN"]).join("\n");
        expect(plan, `${name}:\n${plan}`).not.toMatch(/Seq Scan/);
        expect(plan, `${name}:\n${plan}`).toMatch(/Index/);
      }
      const planOf = async (sql: string, parameters: unknown[]) =>
        (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, parameters)).rows.map((row) => row["QUERY PLAN"]).join("\n");
      expect(await planOf(queries.userEventsAsActor, parametersOf.userEventsAsActor)).toMatch(/events_by_actor/);
      expect(await planOf(queries.userEventsAsTarget, parametersOf.userEventsAsTarget)).toMatch(/events_by_target/);
      expect(await planOf(queries.failed, parametersOf.failed)).toMatch(/deliveries_failed/);
      expect(await planOf(queries.oldestPending, parametersOf.oldestPending)).toMatch(/deliveries_pending_in_event_order/);
      // Claims and backfills too: the claim in the events' order, a backfill's batch by sequence.
      const claim = await planOf(claimCandidatesQuery(store.tables), ["primary", Date.now(), 100]);
      expect(claim).not.toMatch(/Seq Scan/);
      expect(claim).toMatch(/deliveries_pending_in_event_order/);
      expect(claim).toMatch(/deliveries_pending_by_order_key_in_event_order/);
      const batch = await planOf(backfillBatchQuery(store.tables), ["primary", 0, 1000, 100]);
      expect(batch).not.toMatch(/Seq Scan/);
      expect(batch).toMatch(/deliveries_by_event/);
    } finally {
      client.release();
    }
  });
});
