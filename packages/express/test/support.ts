import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemorySink, type FriendEventSink, type ProviderRequest } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import type { FriendEventStore } from "@friendhook/core";
import { createReadApi, createReceiver, type DeliveryOptions, type ReadApi, type Receiver, type ReceiverObserver } from "@friendhook/receiver";
import { createSqliteStore, type SqliteFriendEventStore } from "@friendhook/sqlite";
import { createTencentAdapter } from "@friendhook/tencent";
import express, { type Express } from "express";
import { afterAll, afterEach } from "vitest";
import { createFriendhookMiddleware } from "../src/index";

export const easemobSecret = "easemob-rule-secret";
/**
 * A minute ago: Easemob callbacks are refused outside the adapter's freshness window (five minutes by
 * default), so the tests date theirs from now.
 */
export const baseTimestamp = Date.now() - 60_000;
export const tencentToken = "xxxxyyyy";
export const sdkAppId = "1400000000";

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

const root = mkdtempSync(join(tmpdir(), "friendhook-express-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

export function temporaryDirectory(): string {
  return mkdtempSync(join(root, "data-"));
}

export interface Service {
  readonly url: string;
  readonly receiver: Receiver;
  /** The read API over the receiver's store, its replays waking the receiver's delivery. */
  readonly read: ReadApi;
  readonly store: SqliteFriendEventStore;
  /** Stops the server and closes the receiver (and so the store and sinks). */
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly directory?: string;
  readonly sinks?: FriendEventSink[];
  readonly delivery?: DeliveryOptions;
  /** Wraps the store, to make it fail. */
  readonly wrapStore?: (store: SqliteFriendEventStore) => FriendEventStore;
  /** Mounts application middleware (a body parser, say) before friendhook. */
  readonly before?: (app: Express) => void;
  readonly bodyLimitBytes?: number;
  readonly bodyTimeoutMs?: number;
  readonly maximumBodyBytesInFlight?: number;
  readonly start?: boolean;
  readonly observer?: ReceiverObserver;
  /** Mounts friendhook its own way; by default, `/callbacks/easemob` and `/callbacks/tencent`, one adapter each. */
  readonly mount?: (app: Express, receiver: Receiver) => void;
}

const running: Service[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
});

/** A real express server on 127.0.0.1, port 0, over a receiver with a SQLite store in a temporary directory. */
export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const store = createSqliteStore({ directory: options.directory ?? temporaryDirectory() });
  const receiver = createReceiver({
    adapters: {
      easemob: createEasemobAdapter({ secret: easemobSecret }),
      tencent: createTencentAdapter({ sdkAppIds: [sdkAppId], token: tencentToken }),
    },
    store: options.wrapStore ? options.wrapStore(store) : store,
    sinks: options.sinks ?? [createMemorySink()],
    delivery: { pollIntervalMs: 20, initialBackoffMs: 20, maximumBackoffMs: 100, ...options.delivery },
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    ...(options.maximumBodyBytesInFlight === undefined ? {} : { maximumBodyBytesInFlight: options.maximumBodyBytesInFlight }),
  });
  if (options.start ?? true) receiver.start();
  const app = express();
  options.before?.(app);
  const limits = {
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
  };
  if (options.mount) {
    options.mount(app, receiver);
  } else {
    app.all("/callbacks/easemob", createFriendhookMiddleware(receiver, { adapter: "easemob", ...limits }));
    app.all("/callbacks/tencent", createFriendhookMiddleware(receiver, { adapter: "tencent", ...limits }));
  }
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const service: Service = {
    url: `http://127.0.0.1:${port}`,
    receiver,
    read: createReadApi({ store, receiver }),
    store,
    close() {
      closed ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await receiver.close();
      })();
      return closed;
    },
  };
  running.push(service);
  return service;
}

export interface SentResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Sends a `ProviderRequest` (from a signed-callback builder) over HTTP to `path`. */
export async function send(url: string, path: string, request: ProviderRequest, init: RequestInit = {}): Promise<SentResponse> {
  const query = request.query.toString();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  const response = await fetch(`${url}${path}${query ? `?${query}` : ""}`, {
    method: request.method,
    headers,
    ...(request.method === "GET" || request.method === "HEAD" ? {} : { body: request.body }),
    ...init,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Waits until `condition` holds, checking every 20 ms; fails with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function errorCodeOf(response: SentResponse): string | undefined {
  const body = JSON.parse(response.body) as { error?: { code?: string }; ErrorInfo?: string };
  return body.error?.code ?? body.ErrorInfo?.split(":")[0];
}
