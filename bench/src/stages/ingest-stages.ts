import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, deriveEventId } from "@friendhook/core";
import { createSqliteStore } from "@friendhook/sqlite";
import { parseTencentCallback, tencentCommands } from "@friendhook/tencent";
import { type MeasurementSettings, type Workload, measureInterleaved } from "../in-process/interleaved-measurement";
import { tencentFriendAddBody } from "../payloads/tencent-payloads";
import { createStagesTencentAdapter, freshAppendsInto, tencentFriendAddRequest } from "./tencent-appends";

/** Where the time of one callback goes, stage by stage, in nanoseconds per event. */
export interface IngestStages {
  readonly pairs: number;
  readonly bodyBytes: number;
  /** UTF-8 decoding and `JSON.parse` of the body. */
  readonly parse: number;
  /** The command's schema (zod) over the parsed body. */
  readonly validate: number;
  /** `deriveEventId` for every pair, as the adapter calls it. */
  readonly ids: number;
  /** `adapter.receive` whole: authentication, parse, validate, ids, and building the events. */
  readonly receive: number;
  /** `store.append` of the callback's events, its body and one delivery per event: the in-memory store. */
  readonly storeInMemory: number;
  /** The same into the SQLite store (WAL flushed before each append resolves: one flush per append here). */
  readonly storeSqlite: number;
  /** The same into the PostgreSQL store (`postgres-appends.ts`); absent when PostgreSQL does not answer. */
  readonly storePostgres?: number;
}

export const stagePairCounts = [100, 1000] as const;

/**
 * Each stage of ingest timed on its own, interleaved, for Tencent callbacks of 100 and 1,000 pairs:
 * what a regression in one of them costs shows per event. The stores get a fresh `RequestId` for
 * every append, so every append stores new events (as a provider's callbacks do).
 */
export async function measureIngestStages(settings: MeasurementSettings): Promise<IngestStages[]> {
  const adapter = createStagesTencentAdapter();
  const directory = mkdtempSync(join(tmpdir(), "friendhook-bench-stages-"));
  const sqlite = createSqliteStore({ directory });
  const memory = createMemoryStore();
  try {
    const workloads: Workload[] = [];
    const cases: Array<{ pairs: number; bodyBytes: number }> = [];
    for (const pairs of stagePairCounts) {
      const body = tencentFriendAddBody(pairs, `stages-${pairs}`);
      const bytes = Buffer.from(body, "utf8");
      const request = tencentFriendAddRequest(bytes);
      const parsed = JSON.parse(body) as Record<string, unknown>;
      const { events } = await adapter.receive(request);
      if (events.length !== pairs) throw new Error(`${pairs} pairs gave ${events.length} events`);
      const identities = events.map((event) => ({
        provider: event.provider,
        appId: event.appId,
        type: event.type,
        parts: ["request", `stages-${pairs}`, tencentCommands.friendAdd, event.actor, event.target],
      }));
      cases.push({ pairs, bodyBytes: bytes.byteLength });
      workloads.push(
        { name: `parse ${pairs}`, run: () => JSON.parse(bytes.toString("utf8")) },
        { name: `validate ${pairs}`, run: () => parseTencentCallback(tencentCommands.friendAdd, parsed) },
        { name: `ids ${pairs}`, run: () => identities.map(deriveEventId) },
        { name: `receive ${pairs}`, run: () => adapter.receive(request) },
        { name: `memory ${pairs}`, run: freshAppendsInto(memory, events, body, `memory-${pairs}`) },
        { name: `sqlite ${pairs}`, run: freshAppendsInto(sqlite, events, body, `sqlite-${pairs}`) },
      );
    }
    const timings = new Map((await measureInterleaved(workloads, settings)).map((timing) => [timing.name, timing.nanosecondsPerCall]));
    const perEvent = (name: string, pairs: number) => (timings.get(`${name} ${pairs}`) ?? Number.NaN) / pairs;
    return cases.map(({ pairs, bodyBytes }) => ({
      pairs,
      bodyBytes,
      parse: perEvent("parse", pairs),
      validate: perEvent("validate", pairs),
      ids: perEvent("ids", pairs),
      receive: perEvent("receive", pairs),
      storeInMemory: perEvent("memory", pairs),
      storeSqlite: perEvent("sqlite", pairs),
    }));
  } finally {
    await sqlite.close();
    await memory.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
