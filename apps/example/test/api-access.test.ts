import { buildEasemobCallback } from "@friendhook/easemob";
import type { MemorySink } from "@friendhook/core";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;
const apiToken = "test-api-token-4Rb8Xn2Qk7Vz";
const rotatedApiToken = "test-api-token-rotated-Hm5Tc1Lp9";
const metricsToken = "test-metrics-token-Ja3Wf6Ds0";
/** What the stored events hold that no stranger may read: user ids, a friend-request message, an end user's IP address. */
const privateData = ["alice-private", "bob-private", "meet me at the station", "203.0.113.77"];

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(variables: Record<string, string>, delivery?: Parameters<typeof startApp>[1]) {
  const app = await startApp(variables, delivery);
  running.push(app);
  return app;
}

/** A friend request with a message, and a Tencent friend add that records the user's IP address. */
async function storePrivateData(url: string): Promise<void> {
  const requestWithMessage = buildEasemobCallback({
    secret: easemobSecret,
    appKey: easemobAppKey,
    operation: "add",
    from: `${easemobAppKey}_alice-private@easemob.com`,
    to: "bob-private",
    reason: "meet me at the station",
  });
  const friendAdd = buildTencentCallback({
    sdkAppId: tencentSdkAppId,
    token: tencentToken,
    command: "Sns.CallbackFriendAdd",
    body: {
      CallbackCommand: "Sns.CallbackFriendAdd",
      PairList: [{ From_Account: "alice-private", To_Account: "bob-private", Initiator_Account: "alice-private" }],
      ClientIP: "203.0.113.77",
    },
  });
  expect((await sendCallback(url, "easemob", requestWithMessage)).status).toBe(200);
  expect((await sendCallback(url, "tencent", friendAdd)).status).toBe(200);
}

const json = { "content-type": "application/json" };
/** Every route of the API, an unknown one, and the spellings the router also takes. */
const apiRequests: ReadonlyArray<{ readonly path: string; readonly init?: RequestInit }> = [
  { path: "/api/events?limit=1000" },
  { path: `/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice-private` },
  { path: "/api/dead-letters" },
  { path: "/api/unrecognized" },
  { path: "/api/decisions?user=alice-private" },
  { path: "/api/callbacks/cb_00000000000000000000000000000000" },
  { path: "/api/events/evt_00000000000000000000000000000000/callback" },
  { path: "/api/dead-letters/replay", init: { method: "POST", headers: json, body: "{}" } },
  { path: "/api/sinks/console/replay", init: { method: "POST", headers: json, body: '{"fromSequence":0,"toSequence":1000}' } },
  { path: "/api/events/stream" },
  { path: `/api/users/relations?provider=tencent&appId=${tencentSdkAppId}&userId=alice-private` },
  { path: "/api/delivery" },
  { path: "/api/no-such-route" },
  { path: "/API/Events" },
  { path: "/api/events/" },
  { path: "/api/events", init: { method: "HEAD" } },
];

describe("FRIENDHOOK_API_TOKEN", () => {
  it("answers every /api request without a token with 401 unauthorized, and nothing of the data", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken });
    await storePrivateData(app.url);
    for (const { path, init } of apiRequests) {
      const response = await fetch(`${app.url}${path}`, init);
      const text = await response.text();
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate"), path).toBe('Bearer realm="friendhook"');
      if (init?.method !== "HEAD") {
        expect(JSON.parse(text), path).toEqual({
          error: { code: "unauthorized", message: 'This route needs a token: send it as "Authorization: Bearer TOKEN".' },
        });
      }
      for (const secret of privateData) expect(text, path).not.toContain(secret);
    }
  });

  it.each([
    ["another token", `Bearer ${rotatedApiToken}`],
    ["the token cut short", `Bearer ${apiToken.slice(0, -1)}`],
    ["the token and more", `Bearer ${apiToken}x`],
    ["the token in another case", `Bearer ${apiToken.toUpperCase()}`],
    ["an empty bearer token", "Bearer "],
    ["the token without a scheme", apiToken],
    ["the token as Basic credentials", `Basic ${Buffer.from(`friendhook:${apiToken}`).toString("base64")}`],
    ["two tokens", `Bearer ${apiToken} ${apiToken}`],
    ["the metrics token", `Bearer ${metricsToken}`],
  ])("refuses %s with 401", async (_name, authorization) => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken, FRIENDHOOK_METRICS_TOKEN: metricsToken });
    await storePrivateData(app.url);
    for (const { path, init } of apiRequests) {
      const response = await fetch(`${app.url}${path}`, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization } });
      const text = await response.text();
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate"), path).toBe('Bearer realm="friendhook", error="invalid_token"');
      for (const secret of privateData) expect(text, path).not.toContain(secret);
    }
    // A token in the query string is not a token either.
    expect((await request(`${app.url}/api/events?access_token=${apiToken}`)).status).toBe(401);
  });

  it("takes every token of a rotation, and the scheme in any case", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: `${apiToken},${rotatedApiToken}` });
    await storePrivateData(app.url);
    for (const authorization of [`Bearer ${apiToken}`, `Bearer ${rotatedApiToken}`, `bearer ${apiToken}`, `BEARER  ${rotatedApiToken} `]) {
      const events = await request(`${app.url}/api/events`, { headers: { authorization } });
      expect(events.status, authorization).toBe(200);
      expect(events.body.events.map((event: { type: string }) => event.type)).toEqual(["friend.request.sent", "friend.added"]);
      const friends = await request(`${app.url}/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice-private`, { headers: { authorization } });
      expect(friends.body).toEqual({ friends: ["bob-private"], blocked: [] });
    }
  });

  it("never logs a token, accepted or refused", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: `${apiToken},${rotatedApiToken}` });
    await request(`${app.url}/api/events`, { headers: { authorization: `Bearer ${apiToken}` } });
    await request(`${app.url}/api/events`, { headers: { authorization: `Bearer ${rotatedApiToken}x` } });
    await request(`${app.url}/api/events?token=${apiToken}`);
    const logs = app.logLines.join("");
    expect(app.logLines.filter((line) => line.includes('"msg":"request"')).length).toBe(3);
    for (const token of [apiToken, rotatedApiToken, apiToken.slice(-10)]) expect(logs).not.toContain(token);
  });

  it("leaves the webhooks, /healthz and /metrics to their own rules", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken });
    await storePrivateData(app.url);
    expect(await request(`${app.url}/healthz`)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await request(`${app.url}/metrics`)).status).toBe(200);
  });

  it("gives a cross-origin page no CORS permission to read the API", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken });
    const preflight = await fetch(`${app.url}/api/events`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
  });
});

describe("FRIENDHOOK_METRICS_TOKEN", () => {
  it("closes /metrics to whoever lacks it, without opening the read API", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken, FRIENDHOOK_METRICS_TOKEN: metricsToken });
    const refused = await fetch(`${app.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="friendhook-metrics"');
    expect((await request(`${app.url}/metrics`, { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(401);
    const scraped = await request(`${app.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain("friendhook_callbacks_total");
    expect((await request(`${app.url}/api/events`, { headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(401);
  });
});

describe("changes through the API", () => {
  /** An app without a token (as in development) with four dead letters in its memory sink. */
  async function appWithDeadLetters(): Promise<{ app: RunningApp; sink: MemorySink }> {
    const app = await start({ ...bothProviders, FRIENDHOOK_SINKS: "memory" }, { maximumAttempts: 1, initialBackoffMs: 0, pollIntervalMs: 20 });
    const sink = app.application.sinks[0] as MemorySink;
    sink.failWith(new Error("the queue is down"));
    await storePrivateData(app.url);
    await waitFor(async () => ((await request(`${app.url}/api/dead-letters`)).body.deadLetters.length === 2 ? true : undefined), "two dead letters");
    sink.failWith(undefined);
    return { app, sink };
  }

  it.each([
    ["text/plain, the cross-site form of a fetch", { "content-type": "text/plain" }, "{}", 415, "unsupported_media_type"],
    ["text/plain with a charset", { "content-type": "text/plain;charset=UTF-8" }, '{"sink":"memory"}', 415, "unsupported_media_type"],
    ["an HTML form", { "content-type": "application/x-www-form-urlencoded" }, "sink=memory", 415, "unsupported_media_type"],
    ["a multipart form", { "content-type": "multipart/form-data; boundary=x" }, "--x--", 415, "unsupported_media_type"],
    ["no content type", {}, undefined, 415, "unsupported_media_type"],
    ["JSON spelled as a suffix", { "content-type": "text/plain; application/json" }, "{}", 415, "unsupported_media_type"],
    [
      "a page of another site, as the browser marks it",
      { "content-type": "text/plain", origin: "https://evil.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
      "{}",
      403,
      "cross_site_request",
    ],
    ["a page of a sibling site", { "content-type": "application/json", "sec-fetch-site": "same-site" }, "{}", 403, "cross_site_request"],
    ["a JSON body the route does not take", { "content-type": "application/json" }, '{"sink":"memory"}', 400, "invalid_body"],
  ])("refuse %s and replay nothing", async (_name, headers, body, status, code) => {
    const { app, sink } = await appWithDeadLetters();
    const answer = await request(`${app.url}/api/dead-letters/replay`, { method: "POST", headers, ...(body !== undefined && { body }) });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect((await request(`${app.url}/api/dead-letters`)).body.deadLetters).toHaveLength(2);
    expect(sink.events).toEqual([]);

    // The same replay, as an operator sends it, goes through: the refusal was the only thing in the way.
    const replay = await request(`${app.url}/api/dead-letters/replay`, { method: "POST", headers: { "content-type": "application/json; charset=utf-8" } });
    expect(replay).toMatchObject({ status: 200, body: { replayed: 2 } });
    await waitFor(() => (sink.events.length === 2 ? true : undefined), "the replayed events to be delivered");
  });
});

describe("FRIENDHOOK_API=off", () => {
  it("removes the API, in production without a token, while the webhooks, /healthz and /metrics work", async () => {
    const app = await start({ ...bothProviders, NODE_ENV: "production", FRIENDHOOK_API: "off" });
    await storePrivateData(app.url);
    expect(await request(`${app.url}/healthz`)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await request(`${app.url}/metrics`)).body).toContain('friendhook_callbacks_total{provider="tencent",outcome="stored"} 1');
    for (const { path, init } of apiRequests) {
      const response = await fetch(`${app.url}${path}`, init);
      const text = await response.text();
      expect(response.status, path).toBe(404);
      if (init?.method !== "HEAD") expect(JSON.parse(text).error.code, path).toBe("not_found");
      for (const secret of privateData) expect(text, path).not.toContain(secret);
    }
    // The callbacks were stored all the same.
    expect((await app.application.readApi.events({ limit: 10 })).events).toHaveLength(2);
  });
});
