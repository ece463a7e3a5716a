import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Configuration } from "@friendhook/example/src/config/configuration.ts";
import { createApp } from "@friendhook/example/src/create-app.ts";
import { benchCredentials } from "../../payloads/bench-credentials";
import { serveInChild } from "../serve-in-child";
import { bodyLimitBytes } from "./tencent-ok-body";

/**
 * D: the example app as shipped (metrics, request observation, every route), with its embedded
 * durable SQLite store in a fresh directory. `--sink console` adds delivery of every event to the
 * console sink (its output discarded), so that the cost of delivery shows beside the cost of storing.
 */
const withConsoleSink = process.argv.includes("--sink=console");

await serveInChild(() => {
  const dataDirectory = mkdtempSync(join(tmpdir(), "friendhook-bench-"));
  const configuration: Configuration = {
    environment: "production",
    host: "127.0.0.1",
    port: 0,
    dataDirectory,
    bodyLimitBytes,
    // Per-request access logs are the operator's choice; at "info" each request writes a line.
    logLevel: "warn",
    sinks: withConsoleSink ? [{ kind: "console" }] : [],
    easemob: { secrets: [benchCredentials.easemobSecret], appKeys: [benchCredentials.easemobAppKey] },
    tencent: { sdkAppIds: [benchCredentials.tencentSdkAppId], token: benchCredentials.tencentToken },
  };
  const application = createApp(configuration, { writeLine: () => {} });
  return {
    server: createServer(application.app),
    close: async () => {
      await application.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
});
