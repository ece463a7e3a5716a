import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfiguration } from "@friendhook/example/src/config/configuration.ts";
import { createApp } from "@friendhook/example/src/create-app.ts";
import { limitHeapGrowth } from "@friendhook/example/src/heap-growth.ts";
import { benchCredentials } from "../../payloads/bench-credentials";
import { TargetUnavailable, serveInChild } from "../serve-in-child";
import { bodyLimitBytes } from "./tencent-ok-body";

/**
 * D and E: the example app as shipped (metrics, request observation, every route), configured the
 * way an operator configures it, through its environment variables.
 *
 * - `--store=sqlite` (D): the embedded durable SQLite store, in a fresh directory.
 * - `--store=postgres` (E): the PostgreSQL store, in the schema `friendhook_bench` of `DATABASE_URL`
 *   (by default the local test database), dropped with psql before and after the run.
 * - `--sink=console`: every event is also delivered to the console sink (its output discarded), so
 *   that the cost of delivery shows beside the cost of storing. Without it the app has no sink.
 */
const store = process.argv.includes("--store=postgres") ? "postgres" : "sqlite";
const withConsoleSink = process.argv.includes("--sink=console");
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const postgresSchema = "friendhook_bench";

function dropPostgresSchema(): void {
  try {
    execFileSync("psql", [databaseUrl, "--quiet", "--command", `DROP SCHEMA IF EXISTS ${postgresSchema} CASCADE`], { stdio: "ignore" });
  } catch {
    // Without psql the tables stay, and the next run appends to them.
  }
}

await serveInChild(async () => {
  // As the app's own start-up does: the heap growing factor it ships with.
  limitHeapGrowth();
  const dataDirectory = mkdtempSync(join(tmpdir(), "friendhook-bench-"));
  if (store === "postgres") dropPostgresSchema();
  const configuration = parseConfiguration(
    {
      NODE_ENV: "production",
      // Per-request access logs are the operator's choice; at "info" each request writes a line.
      LOG_LEVEL: "warn",
      FRIENDHOOK_DATA_DIR: dataDirectory,
      FRIENDHOOK_STORE: store === "postgres" ? `${databaseUrl}?schema=${postgresSchema}` : "sqlite",
      FRIENDHOOK_BODY_LIMIT: String(bodyLimitBytes),
      EASEMOB_SECRET: benchCredentials.easemobSecret,
      EASEMOB_APPKEY: benchCredentials.easemobAppKey,
      TENCENT_SDKAPPID: benchCredentials.tencentSdkAppId,
      TENCENT_TOKEN: benchCredentials.tencentToken,
      // Production asks for one while the read API is on; the load never reads the API.
      FRIENDHOOK_API_TOKEN: "bench-read-api-token-unused",
    },
    dataDirectory,
  );
  const application = createApp({ ...configuration, sinks: withConsoleSink ? [{ kind: "console" }] : [] }, { writeLine: () => {} });
  const cleanUp = async () => {
    await application.close();
    rmSync(dataDirectory, { recursive: true, force: true });
    if (store === "postgres") dropPostgresSchema();
  };
  try {
    await application.ready();
  } catch (error) {
    await cleanUp();
    throw new TargetUnavailable(`the ${store} store does not answer (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
  const backlog = async () => (await application.readApi.deliveryCounts()).reduce((sum, counts) => sum + counts.pending, 0);
  return { server: createServer(application.app), close: cleanUp, backlog };
});
