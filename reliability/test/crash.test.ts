import { describeWithService } from "@friendhook/testkit";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CrashScenarioResult,
  killRunningAppProcesses,
  providerVariables,
  recordFigures,
  runCrashScenario,
  seedFromEnvironment,
  summarize,
} from "../src/index";

afterAll(killRunningAppProcesses);

const callbackCount = 900;
const senders = 6;
/** The app is killed with SIGKILL once this many callbacks are acknowledged, then started again. */
const killThresholds = [150, 400, 650];

function figuresOf(result: CrashScenarioResult, seed: number) {
  const storedIds = new Set(result.stored.map((event) => event.id));
  const delivered = result.deliveredPerLife.flat();
  const deliveredIds = new Set(delivered);
  return {
    ...summarize(result.records),
    eventsStored: storedIds.size,
    eventsDelivered: deliveredIds.size,
    duplicateDeliveries: delivered.length - deliveredIds.size,
    lost: [...result.acknowledgedIds].filter((id) => !storedIds.has(id) || !deliveredIds.has(id)).length,
    forgedStored: [...result.forgedIds].filter((id) => storedIds.has(id)).length,
    notes: { kills: killThresholds.length, senders, sinkCatchUpMs: result.catchUpMs, pendingGaugeEmptyTooEarly: result.pendingGaugeEmptyTooEarly, longestStopMs: Math.max(...result.stopDurationsMs), seed },
  };
}

function expectCrashSafety(result: CrashScenarioResult, stopWith: "kill" | "terminate" = "kill"): void {
  const storedIds = new Set(result.stored.map((event) => event.id));
  const deliveredIds = new Set(result.deliveredPerLife.flat());
  // The provider's view: every genuine callback was acknowledged in the end, every forged one refused.
  for (const record of result.records) {
    const statuses = `${record.plan.key}: ${record.statuses.join(",")}`;
    if (record.plan.genuine) expect(record.acknowledged, statuses).toBe(true);
    else expect(record.statuses.every((status) => status === 401), statuses).toBe(true);
  }
  // A crash leaves no time to answer 5xx; a graceful stop answers 503 (retry later) while it closes.
  const serverErrors = result.records.flatMap((record) => record.statuses.filter((status) => status >= 500));
  if (stopWith === "kill") expect(serverErrors).toEqual([]);
  else expect(serverErrors.filter((status) => status !== 503)).toEqual([]);
  expect(result.lives).toBe(killThresholds.length + 1);
  // Each event stored once; nothing acknowledged lost; nothing forged; nothing that was never sent.
  expect(result.stored).toHaveLength(storedIds.size);
  expect([...result.acknowledgedIds].filter((id) => !storedIds.has(id))).toEqual([]);
  expect([...result.forgedIds].filter((id) => storedIds.has(id))).toEqual([]);
  expect([...storedIds].filter((id) => !result.acknowledgedIds.has(id))).toEqual([]);
  // The sink got every stored event, and nothing else, each signed with the app's webhook secret.
  expect(deliveredIds).toEqual(storedIds);
  expect(result.badSignatures).toBe(0);
  // No process delivered an event twice. Across processes an event may arrive again when the
  // process that delivered it was killed before it could record the delivery (at least once,
  // deduplicated by id downstream): that count is the duplicateDeliveries figure.
  for (const [index, ids] of result.deliveredPerLife.entries()) {
    expect(new Set(ids).size, `process ${index + 1} delivered an event twice`).toBe(ids.length);
  }
}

describe("crash: kill -9 in the middle of a flood of callbacks", () => {
  it("loses no acknowledged callback, stores and delivers each event once by id, and stores nothing forged (SQLite)", async () => {
    const seed = seedFromEnvironment();
    console.info(`[crash] seed ${seed}; FRIENDHOOK_SEED=${seed} replays this traffic`);
    const result = await runCrashScenario({ variables: providerVariables(), callbackCount, senders, killThresholds, seed });
    recordFigures("crash-sqlite", "Crash: kill -9 under load (SQLite)", figuresOf(result, seed));
    expectCrashSafety(result);
  });

  it("loses nothing either when stopped gracefully (SIGTERM) under the same load, answering 503 while it closes", async () => {
    const seed = seedFromEnvironment();
    console.info(`[graceful stop] seed ${seed}; FRIENDHOOK_SEED=${seed} replays this traffic`);
    // The stop waits 30 s: the app gets 25 s of it to finish what it has in hand on a busy machine
    // (its 10 s default and what happens beyond it are shutdown-timeout.test.ts's subject).
    const variables = { ...providerVariables(), FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: "25000" };
    const result = await runCrashScenario({ variables, callbackCount, senders, killThresholds, seed, stopWith: "terminate" });
    const figures = figuresOf(result, seed);
    recordFigures("graceful-stop-sqlite", "Graceful stop (SIGTERM) under load (SQLite)", { ...figures, notes: { ...figures.notes, kills: 0, stops: killThresholds.length } });
    expectCrashSafety(result, "terminate");
    // Every stop was graceful: the process ended by itself, with exit code 0.
    expect(result.exits).toEqual(killThresholds.map(() => 0));
  });
});

/** The test database, and a schema of friendhook's tables for this run alone (dropped after it). */
const postgresDatabase = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const postgresLocation = new URL(postgresDatabase);
const postgresSchema = `friendhook_reliability_${process.pid}_${Date.now().toString(36)}`;
postgresLocation.searchParams.set("schema", postgresSchema);
const postgresUrl = postgresLocation.href;

describeWithService("crash: kill -9 with the PostgreSQL store", Number(postgresLocation.port || 5432), () => {
  it("loses no acknowledged callback, stores and delivers each event once by id, and stores nothing forged (PostgreSQL)", async () => {
    const seed = seedFromEnvironment();
    console.info(`[crash, PostgreSQL] seed ${seed}; FRIENDHOOK_SEED=${seed} replays this traffic`);
    const result = await runCrashScenario({ variables: { ...providerVariables(), FRIENDHOOK_STORE: postgresUrl }, callbackCount, senders, killThresholds, seed });
    recordFigures("crash-postgres", "Crash: kill -9 under load (PostgreSQL)", figuresOf(result, seed));
    expectCrashSafety(result);
  });

  afterAll(async () => {
    const client = new pg.Client({ connectionString: postgresDatabase });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${postgresSchema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
}, { host: postgresLocation.hostname });
