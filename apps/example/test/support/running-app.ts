import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderDescriptor } from "@friendhook/core";
import type { DeliveryOptions } from "@friendhook/receiver";
import { type Configuration, parseConfiguration } from "../../src/config/configuration";
import { type FriendhookApp, createApp } from "../../src/create-app";
import { createLogger } from "../../src/logger";
import { providers as appProviders } from "../../src/providers";
import { listen, localUrlOf } from "../../src/serve";
import { shutDown } from "../../src/shutdown";

/** Credentials for tests; none of them is the DEMO set, so production accepts them. */
export const testCredentials = {
  easemobSecret: "test-easemob-secret-4f1c7a",
  easemobAppKey: "1112220101#demo",
  tencentSdkAppId: "1400000001",
  tencentToken: "test-tencent-token-9b2e5d",
} as const;

export const bothProviders = {
  EASEMOB_SECRET: testCredentials.easemobSecret,
  EASEMOB_APPKEY: testCredentials.easemobAppKey,
  TENCENT_SDKAPPID: testCredentials.tencentSdkAppId,
  TENCENT_TOKEN: testCredentials.tencentToken,
};

export interface RunningApp {
  readonly url: string;
  readonly configuration: Configuration;
  readonly application: FriendhookApp;
  readonly server: Server;
  /** Every log entry so far, as the JSON lines pino wrote. */
  readonly logLines: string[];
  /** What the console sink printed. */
  readonly printedLines: string[];
  stop(): Promise<void>;
}

/**
 * Starts the app in this process as `main` does, on an ephemeral port of 127.0.0.1, with its data
 * in a fresh temporary directory and its logs (every level) captured. `providers` are the providers
 * offered: the app's list by default.
 */
export async function startApp(
  variables: Record<string, string>,
  delivery?: DeliveryOptions,
  providers: readonly ProviderDescriptor[] = appProviders,
): Promise<RunningApp> {
  const dataDirectory = mkdtempSync(join(tmpdir(), "friendhook-app-"));
  const configuration = parseConfiguration({ FRIENDHOOK_DATA_DIR: dataDirectory, ...variables }, dataDirectory, providers);
  const logLines: string[] = [];
  const printedLines: string[] = [];
  const logger = createLogger({ level: "trace", pretty: false, destination: { write: (line: string) => logLines.push(line) }, providers });
  const application = createApp(configuration, {
    logger,
    writeLine: (line) => printedLines.push(line),
    ...(delivery && { delivery }),
  });
  const server = await listen(createServer(application.app), 0, "127.0.0.1");
  let stopped: Promise<void> | undefined;
  return {
    url: localUrlOf(server),
    configuration,
    application,
    server,
    logLines,
    printedLines,
    stop() {
      stopped ??= shutDown({ server, closeApp: application.close, logger, timeoutMs: 10_000 })
        .then(() => undefined)
        .finally(() => rmSync(dataDirectory, { recursive: true, force: true }));
      return stopped;
    },
  };
}

export interface JsonAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: any;
}

export async function request(url: string, init?: RequestInit): Promise<JsonAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const contentType = response.headers.get("content-type");
  return { status: response.status, contentType, body: contentType?.includes("json") ? JSON.parse(text) : text };
}

/** Polls until `check` returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<Value>(check: () => Promise<Value | undefined> | Value | undefined, what: string, timeoutMs = 15_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
