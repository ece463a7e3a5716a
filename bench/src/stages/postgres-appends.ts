import { createPostgresStore } from "@friendhook/postgres";
import pg from "pg";
import { databaseUrl } from "../delivery/destinations";
import { type MeasurementSettings, type Workload, measureInterleaved } from "../in-process/interleaved-measurement";
import { stagePairCounts } from "./ingest-stages";
import { freshAppendsInto, receivedTencentFriendAdd } from "./tencent-appends";

/**
 * The ingest stages' store column for the PostgreSQL store: `store.append` of a Tencent callback's
 * events, its body and a delivery per event, in nanoseconds per event, in a schema of its own that
 * is dropped after. Undefined when PostgreSQL does not answer. A child process of its own, apart
 * from the other stages: with the database driver loaded beside them, `adapter.receive` measured
 * there took twice as long.
 */
export async function measurePostgresAppends(settings: MeasurementSettings): Promise<Array<{ pairs: number; nanosecondsPerEvent: number }> | undefined> {
  const schema = `friendhook_bench_stages_${process.pid}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on("error", () => undefined);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    await pool.end().catch(() => undefined);
    return undefined;
  }
  const store = createPostgresStore({ connectionString: databaseUrl, schema });
  try {
    const workloads: Workload[] = [];
    for (const pairs of stagePairCounts) {
      const { body, events } = await receivedTencentFriendAdd(pairs, `stages-${pairs}`);
      workloads.push({ name: String(pairs), run: freshAppendsInto(store, events, body, `postgres-${pairs}`) });
    }
    const timings = await measureInterleaved(workloads, settings);
    return timings.map((timing) => ({ pairs: Number(timing.name), nanosecondsPerEvent: timing.nanosecondsPerCall / Number(timing.name) }));
  } finally {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}
