import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback, createEasemobAdapter } from "@friendhook/easemob";
import { createOpenImAdapter, openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { createSqliteStore } from "@friendhook/sqlite";
import { buildTencentCallback, createTencentAdapter, tencentCallbackBodies } from "@friendhook/tencent";
import { afterAll, afterEach, expect } from "vitest";
import { createReadApi, createReceiver, type ReadApi, type Receiver, type ReceiverOptions } from "../src/index";
import { closeReceiversAfterEach } from "./support";

export const easemobSecret = "easemob-handler-secret";
export const easemobAppKey = "1112220101#demo";
export const tencentToken = "tencent-handler-token";
export const sdkAppId = "1400000000";
export const openImToken = "openim-handler-token";
export const openImAppId = "openim-handlers";

const root = mkdtempSync(join(tmpdir(), "friendhook-handlers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opened = closeReceiversAfterEach();

export interface ProviderReceiver {
  readonly receiver: Receiver;
  readonly read: ReadApi;
}

/** A receiver of the three providers over a SQLite store in a temporary directory; closed after the test. */
export function createProviderReceiver(options: Partial<ReceiverOptions> = {}): ProviderReceiver {
  const store = createSqliteStore({ directory: mkdtempSync(join(root, "store-")) });
  const receiver = createReceiver({
    adapters: {
      easemob: createEasemobAdapter({ secret: easemobSecret, appKeys: [easemobAppKey] }),
      tencent: createTencentAdapter({ sdkAppIds: [sdkAppId], token: tencentToken }),
      openim: createOpenImAdapter({ appId: openImAppId, token: openImToken }),
    },
    store,
    ...options,
  });
  opened.push(receiver);
  return { receiver, read: createReadApi({ store, receiver }) };
}

/** The Web request a provider would send for a `ProviderRequest` (what the adapters' builders make), to `path` on `base`. */
export function webRequestOf(base: string, request: ProviderRequest, path = request.path, method = request.method): Request {
  const url = new URL(path, base);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, { method, headers, ...(hasBody && { body: request.body }) });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Sends one Web request to a framework: over HTTP to a server, or straight to a handler (a Next.js route). */
export type Send = (request: Request) => Promise<Answer>;

export const overHttp: Send = async (request) => {
  const response = await fetch(request);
  return { status: response.status, headers: response.headers, body: await response.text() };
};

export function errorCodeOf(answer: Answer): string | undefined {
  const body = JSON.parse(answer.body) as { error?: { code?: string }; ErrorInfo?: string; errMsg?: string };
  return body.error?.code ?? body.ErrorInfo?.split(":")[0] ?? body.errMsg?.split(":")[0];
}

/** Signed callbacks of each provider, as each sends them to its URL under `/webhooks`. */
export const providerCallbacks = {
  easemob: (from = "bob", secret = easemobSecret): ProviderRequest => ({
    ...buildEasemobCallback({ secret, appKey: easemobAppKey, operation: "remote_accept", from, to: "alice" }),
    path: "/webhooks/easemob",
  }),
  tencent: (target = "mallory", app = sdkAppId) =>
    buildTencentCallback({
      sdkAppId: app,
      token: tencentToken,
      body: tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: target }] }),
      path: "/webhooks/tencent",
    }),
  // OpenIM appends the callback's command to the URL it is given: `/webhooks/openim/callback…Command`.
  openim: (token: string | null = openImToken) =>
    openImCallbackRequest({
      body: openImCallbackBodies.afterAddFriendAgree({ fromUserID: "carol", toUserID: "alice" }),
      basePath: "/webhooks/openim",
      ...(token === null ? {} : { token }),
    }),
};

/**
 * What every framework must do with the receiver's handler: take a signed callback of each
 * provider (OpenIM's at its command's URL) and store it, refuse forged ones and other methods with
 * the provider's answer, and answer 404 for a path that is no callback route; then the store holds
 * exactly the three callbacks' events.
 */
export async function expectEveryProviderEndToEnd(base: string, send: Send, { read }: ProviderReceiver): Promise<void> {
  const easemob = await send(webRequestOf(base, providerCallbacks.easemob()));
  expect(easemob.status).toBe(200);
  const tencent = await send(webRequestOf(base, providerCallbacks.tencent()));
  expect([tencent.status, JSON.parse(tencent.body)]).toEqual([200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" }]);
  const openimRequest = providerCallbacks.openim();
  expect(openimRequest.path).toBe("/webhooks/openim/callbackAfterAddFriendAgreeCommand");
  const openim = await send(webRequestOf(base, openimRequest));
  expect([openim.status, JSON.parse(openim.body).errCode]).toEqual([200, 0]);

  const forged = await send(webRequestOf(base, providerCallbacks.easemob("mallory", "not-the-secret")));
  expect([forged.status, errorCodeOf(forged)]).toEqual([401, "invalid_signature"]);
  const otherApp = await send(webRequestOf(base, providerCallbacks.tencent("bob", "1400000009")));
  expect([otherApp.status, errorCodeOf(otherApp)]).toEqual([403, "app_mismatch"]);
  const anonymous = await send(webRequestOf(base, providerCallbacks.openim(null)));
  expect([anonymous.status, errorCodeOf(anonymous)]).toEqual([401, "missing_signature"]);

  const get = await send(webRequestOf(base, providerCallbacks.easemob(), "/webhooks/easemob", "GET"));
  expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  const unknown = await send(webRequestOf(base, providerCallbacks.easemob(), "/webhooks/line"));
  expect([unknown.status, errorCodeOf(unknown)]).toEqual([404, "route_not_found"]);

  const stored = (await read.events()).events.map((event) => `${event.provider} ${event.type} ${event.actor} → ${event.target}`);
  expect(stored).toEqual([
    "easemob friend.request.accepted bob → alice",
    "easemob friend.added bob → alice",
    "tencent friend.blocked alice → mallory",
    "openim friend.request.accepted alice → carol",
    "openim friend.added alice → carol",
  ]);
  expect(await read.friendsOf({ provider: "easemob", appId: easemobAppKey, userId: "alice" })).toEqual({ friends: ["bob"], blocked: [] });
  expect(await read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "alice" })).toEqual({ friends: [], blocked: ["mallory"] });
  expect(await read.friendsOf({ provider: "openim", appId: openImAppId, userId: "alice" })).toEqual({ friends: ["carol"], blocked: [] });
}
