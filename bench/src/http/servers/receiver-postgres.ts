import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createFriendhookMiddleware } from "@friendhook/express";
import { createReceiver } from "@friendhook/receiver";
import express from "express";
import { tencentCallbackPath } from "../../payloads/bench-credentials";
import { TargetUnavailable, serveInChild } from "../serve-in-child";
import { benchAdapters } from "./bench-adapters";
import { bodyLimitBytes } from "./tencent-ok-body";

/**
 * E: the receiver behind its Express shell with the PostgreSQL store, in a schema of its own that is
 * dropped before and after the run (with psql, when it is installed).
 */
const connectionString = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = "friendhook_bench";

function dropSchema(): void {
  try {
    execFileSync("psql", [connectionString, "--quiet", "--command", `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: "ignore" });
  } catch {
    // Without psql the tables stay; the next run appends to them.
  }
}

async function loadPostgresStore() {
  try {
    const postgres = await import("@friendhook/postgres");
    if (typeof postgres.createPostgresStore !== "function") throw new Error("no createPostgresStore");
    return postgres.createPostgresStore;
  } catch (error) {
    throw new TargetUnavailable(`@friendhook/postgres provides no store here (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
}

await serveInChild(async () => {
  const createPostgresStore = await loadPostgresStore();
  dropSchema();
  const store = createPostgresStore({ connectionString, schema });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw new TargetUnavailable(`PostgreSQL is not reachable at ${new URL(connectionString).host} (${error instanceof Error ? error.message : String(error)})`);
  }
  const receiver = createReceiver({ adapters: benchAdapters(), store });
  const app = express();
  app.disable("x-powered-by");
  app.post(tencentCallbackPath, createFriendhookMiddleware(receiver, { adapter: "tencent", bodyLimitBytes }));
  return {
    server: createServer(app),
    close: async () => {
      await receiver.close();
      dropSchema();
    },
  };
});
