import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;
const jid = (user: string) => `${easemobAppKey}_${user}@easemob.com`;

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

/** True once `text` holds an answer after "100 Continue", its headers and its whole body (chunked or of a stated length). */
function answerIsWhole(text: string): boolean {
  const start = text.search(/HTTP\/1\.1 (?!100 )\d{3} /);
  const headersEnd = start < 0 ? -1 : text.indexOf("\r\n\r\n", start);
  if (headersEnd < 0) return false;
  const headers = text.slice(start, headersEnd);
  if (/\r\ntransfer-encoding: chunked/i.test(headers)) return text.endsWith("\r\n0\r\n\r\n");
  const length = /\r\ncontent-length: (\d+)/i.exec(headers)?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(headersEnd + 4)) >= Number(length);
}

async function start(variables: Record<string, string> = bothProviders, delivery?: Parameters<typeof startApp>[1]) {
  const app = await startApp(variables, delivery);
  running.push(app);
  return app;
}

function easemob(init: Omit<Parameters<typeof buildEasemobCallback>[0], "secret" | "appKey">) {
  return buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, ...init });
}

function tencent(command: string, body: Record<string, unknown>, token: string = tencentToken) {
  return buildTencentCallback({ sdkAppId: tencentSdkAppId, command, token, body: { CallbackCommand: command, ...body } });
}

/** alice and bob become friends on Easemob (both views of the accept); on Tencent, alice blocks dave. */
async function sendStory(url: string) {
  // A minute ago: Easemob callbacks outside the adapter's freshness window (five minutes) are refused.
  const requestedAt = Date.now() - 60_000;
  const acceptance = { messageId: "966725899779049516", timestamp: requestedAt + 38_402 };
  const answers = [
    await sendCallback(url, "easemob", easemob({ operation: "add", from: jid("alice"), to: "bob", messageId: "966725899779049500", timestamp: requestedAt })),
    await sendCallback(url, "easemob", easemob({ operation: "accept", from: jid("alice"), to: "bob", ...acceptance })),
    await sendCallback(url, "easemob", easemob({ operation: "remote_accept", from: jid("bob"), to: "alice", ...acceptance })),
    await sendCallback(
      url,
      "tencent",
      tencent("Sns.CallbackBlackListAdd", { PairList: [{ From_Account: "alice", To_Account: "dave" }], RequestId: "req-1" }),
    ),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
}

describe("the read API", () => {
  it("serves the stored events in the order they were stored, and the friend table", async () => {
    const app = await start();
    await sendStory(app.url);

    const page = await request(`${app.url}/api/events`);
    expect(page.status).toBe(200);
    expect(page.body.events.map((event: { type: string; provider: string }) => `${event.provider} ${event.type}`)).toEqual([
      "easemob friend.request.sent",
      "easemob friend.request.accepted",
      "easemob friend.added",
      "tencent friend.blocked",
    ]);
    expect(page.body.events[2]).toMatchObject({ appId: easemobAppKey, actor: "bob", target: "alice", mutual: true });
    expect(typeof page.body.next).toBe("string");
    expect((await request(`${app.url}/api/events?after=${page.body.next}`)).body).toEqual({ events: [], next: null });

    const easemobFriends = await request(`${app.url}/api/friends?provider=easemob&appId=${encodeURIComponent(easemobAppKey)}&userId=alice`);
    expect(easemobFriends).toMatchObject({ status: 200, body: { friends: ["bob"], blocked: [] } });
    const tencentFriends = await request(`${app.url}/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice`);
    expect(tencentFriends.body).toEqual({ friends: [], blocked: ["dave"] });
  });

  it("pages through the events with limit and the next cursor", async () => {
    const app = await start();
    await sendStory(app.url);
    const all = (await request(`${app.url}/api/events`)).body.events;
    const first = await request(`${app.url}/api/events?limit=3`);
    expect(first.body.events).toEqual(all.slice(0, 3));
    const second = await request(`${app.url}/api/events?limit=3&after=${encodeURIComponent(first.body.next)}`);
    expect(second.body.events).toEqual(all.slice(3));
  });

  it.each(["0", "1001", "ten", "-1", "1.5", ""])("refuses limit=%j with invalid_query", async (limit) => {
    const app = await start();
    const answer = await request(`${app.url}/api/events?limit=${limit}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("invalid_query");
    expect(answer.body.error.message).toMatch(/^limit: /);
  });

  it("refuses a repeated limit, an unknown parameter and a cursor the store never gave", async () => {
    const app = await start();
    const repeated = await request(`${app.url}/api/events?limit=1&limit=2`);
    expect(repeated.body).toEqual({ error: { code: "invalid_query", message: "limit: must be given once" } });
    const unknown = await request(`${app.url}/api/events?limt=5`);
    expect(unknown.body).toEqual({ error: { code: "invalid_query", message: 'unknown query parameter "limt"' } });
    const cursor = await request(`${app.url}/api/events?after=not-a-cursor`);
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.code).toBe("invalid_query");
    expect(cursor.body.error.message).toMatch(/^after: /);
  });

  it("needs provider, appId and userId for the friend table", async () => {
    const app = await start();
    const answer = await request(`${app.url}/api/friends?provider=easemob`);
    expect(answer).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_query", message: "appId: is required; userId: is required" } },
    });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const app = await start();
    expect(await request(`${app.url}/nowhere`)).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: "No route for GET /nowhere." } },
    });
    expect((await request(`${app.url}/api/dead-letters/replay`)).status).toBe(404);
  });

  it("shows unrecognized callbacks, kept without Easemob's signature", async () => {
    const app = await start();
    const unknownOperation = easemob({ operation: "mute", from: jid("alice"), to: "bob" });
    const security = JSON.parse(Buffer.from(unknownOperation.body).toString("utf8")).security as string;
    expect((await sendCallback(app.url, "easemob", unknownOperation)).status).toBe(200);
    const message = tencent("C2C.CallbackAfterSendMsg", { From_Account: "alice", To_Account: "bob", MsgBody: [] });
    expect((await sendCallback(app.url, "tencent", message)).status).toBe(200);

    const answer = await request(`${app.url}/api/unrecognized`);
    expect(answer.body.unrecognized.map((record: { provider: string; command: string }) => `${record.provider} ${record.command}`)).toEqual([
      "easemob roster:mute",
      "tencent C2C.CallbackAfterSendMsg",
    ]);
    const kept = JSON.parse(answer.body.unrecognized[0].body);
    expect(kept).toMatchObject({ appkey: easemobAppKey, payload: { operation: "mute" } });
    expect(kept).not.toHaveProperty("security");
    expect(JSON.stringify(answer.body)).not.toContain(security);
    expect((await request(`${app.url}/api/events`)).body.events).toEqual([]);
  });
});

describe("the webhooks", () => {
  it("refuse what they cannot authenticate, store nothing, and answer 405 to a GET", async () => {
    const app = await start();
    const forged = buildEasemobCallback({ secret: "not-the-secret", appKey: easemobAppKey, operation: "add", from: "mallory", to: "bob" });
    const refused = await sendCallback(app.url, "easemob", forged);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).error.code).toBe("invalid_signature");

    const wrongToken = await sendCallback(app.url, "tencent", tencent("Sns.CallbackFriendDelete", { PairList: [] }, "wrong-token"));
    expect(wrongToken.status).toBe(401);

    const get = await fetch(`${app.url}/webhooks/easemob`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await request(`${app.url}/api/events`)).body.events).toEqual([]);
  });

  it("take EASEMOB_MAXIMUM_AGE_SECONDS and EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK into the Easemob adapter", async () => {
    const twoMinutesOld = easemob({ operation: "add", from: jid("alice"), to: "bob", timestamp: Date.now() - 120_000 });
    // The adapter's own window (five minutes) takes it; one of 60 seconds does not.
    expect((await sendCallback((await start()).url, "easemob", twoMinutesOld)).status).toBe(200);
    const narrow = await start({ ...bothProviders, EASEMOB_MAXIMUM_AGE_SECONDS: "60" });
    const stale = await sendCallback(narrow.url, "easemob", twoMinutesOld);
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error.code).toBe("stale_request");

    // An accepted request makes two events (accepted, then added): over a cap of one.
    const capped = await start({ ...bothProviders, EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "1" });
    const accept = await sendCallback(capped.url, "easemob", easemob({ operation: "accept", from: jid("alice"), to: "bob" }));
    expect(accept.status).toBe(413);
    expect(JSON.parse(accept.body).error.code).toBe("too_many_events");
    expect((await sendCallback(capped.url, "easemob", easemob({ operation: "add", from: jid("carol"), to: "bob" }))).status).toBe(200);
  });

  it("take TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS into the Tencent adapter", async () => {
    const ninetySecondsOld = buildTencentCallback({
      sdkAppId: tencentSdkAppId,
      token: tencentToken,
      command: "Sns.CallbackFriendAdd",
      requestTime: Math.floor(Date.now() / 1000) - 90,
      body: { CallbackCommand: "Sns.CallbackFriendAdd", PairList: [{ From_Account: "alice", To_Account: "bob" }] },
    });
    // The adapter's own bound (60 s) refuses it; a bound of 120 s takes it.
    const stale = await sendCallback((await start()).url, "tencent", ninetySecondsOld);
    expect(stale.status).toBe(401);
    expect(stale.body).toContain("stale_request");
    const wide = await start({ ...bothProviders, TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: "120" });
    expect((await sendCallback(wide.url, "tencent", ninetySecondsOld)).status).toBe(200);
  });

  it("take TENCENT_MAXIMUM_EVENTS_PER_CALLBACK, OPENIM_MAXIMUM_EVENTS_PER_CALLBACK and a rotated TENCENT_TOKEN into the adapters", async () => {
    const app = await start({
      ...bothProviders,
      TENCENT_TOKEN: `${tencentToken}, rotated-tencent-token-8d1e`,
      TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: "1",
      OPENIM_TOKEN: "openim-token-3c9a",
      OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: "1",
    });
    const friendAdd = (token: string, pairs: number) =>
      buildTencentCallback({
        sdkAppId: tencentSdkAppId,
        token,
        body: tencentCallbackBodies.friendAdd({ pairs: [{ fromAccount: "alice", toAccount: "bob" }, { fromAccount: "bob", toAccount: "alice" }].slice(0, pairs) }),
      });
    const overCap = await sendCallback(app.url, "tencent", friendAdd(tencentToken, 2));
    expect(overCap.status).toBe(413);
    expect(overCap.body).toContain("too_many_events");
    expect((await sendCallback(app.url, "tencent", friendAdd("rotated-tencent-token-8d1e", 1))).status).toBe(200);

    const importBody = openImCallbackBodies.afterImportFriends({ ownerUserID: "alice", friendUserIDs: ["carol", "dave"] });
    const imported = await sendCallback(app.url, "openim", openImCallbackRequest({ body: importBody, token: "openim-token-3c9a" }));
    expect(imported.status).toBe(413);
    expect(imported.body).toContain("too_many_events");
  });

  it("hold at most FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT of callback bodies at once", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: "2mb" });
    expect(app.application.receiver.bodyBudget.maximumBytes).toBe(2 * 1024 * 1024);
  });

  it("refuse a body over FRIENDHOOK_BODY_LIMIT with 413", async () => {
    const app = await start({ ...bothProviders, FRIENDHOOK_BODY_LIMIT: "1kb" });
    const large = easemob({ operation: "add", from: jid("alice"), to: "bob", reason: "x".repeat(2000) });
    const answer = await sendCallback(app.url, "easemob", large);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe("body_too_large");
  });

  it("answer 503 provider_not_configured for a provider without credentials in production", async () => {
    const app = await start({
      NODE_ENV: "production",
      TENCENT_SDKAPPID: tencentSdkAppId,
      TENCENT_TOKEN: tencentToken,
      FRIENDHOOK_API_TOKEN: "test-api-token-6Yh3Kd9Wq2",
    });
    const answer = await sendCallback(app.url, "easemob", easemob({ operation: "add", from: jid("alice"), to: "bob" }));
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: "provider_not_configured", message: "Easemob callbacks are not configured on this receiver; set EASEMOB_SECRET." },
    });
    const tencentAnswer = await sendCallback(
      app.url,
      "tencent",
      tencent("Sns.CallbackBlackListAdd", { PairList: [{ From_Account: "alice", To_Account: "dave" }] }),
    );
    expect(tencentAnswer.status).toBe(200);
    const metrics = (await request(`${app.url}/metrics`)).body as string;
    expect(metrics).toContain('friendhook_callback_refusals_total{provider="easemob",code="provider_not_configured"} 1');
  });
});

describe("operations", () => {
  it("reports health while the store answers", async () => {
    const app = await start();
    expect(await request(`${app.url}/healthz`)).toMatchObject({ status: 200, body: { status: "ok" } });
    await app.application.close();
    expect(await request(`${app.url}/healthz`)).toMatchObject({ status: 503, body: { status: "unavailable" } });
  });

  it("answers 503 store_unavailable, for callbacks and reads alike, once the store is closed", async () => {
    const app = await start();
    await app.application.close();
    expect(await request(`${app.url}/api/events`)).toMatchObject({
      status: 503,
      body: { error: { code: "store_unavailable", message: "The SQLite store is closed." } },
    });
    expect((await request(`${app.url}/api/friends?provider=easemob&appId=a%23b&userId=alice`)).status).toBe(503);
    const callback = await sendCallback(app.url, "easemob", easemob({ operation: "add", from: jid("alice"), to: "bob" }));
    expect(callback.status).toBe(503);
    expect(JSON.parse(callback.body).error.code).toBe("store_unavailable");
  });

  it("answers an unexpected failure with a 500 that tells nothing of the internals, and logs it", async () => {
    const app = await start();
    // A fault no route expects, with internals in its message.
    (app.application.readApi as { events: unknown }).events = async () => {
      throw new TypeError("cannot read the page of /var/lib/friendhook/friendhook.db");
    };
    const answer = await request(`${app.url}/api/events`);
    expect(answer).toMatchObject({ status: 500, body: { error: { code: "internal_error" } } });
    expect(JSON.stringify(answer.body)).not.toMatch(/friendhook\.db|TypeError|at /);
    expect(app.logLines.some((line) => line.includes("unexpected error") && line.includes("friendhook.db"))).toBe(true);
  });

  it("reports the heap it holds after a full garbage collection", async () => {
    const app = await start();
    // A full collection on demand: V8 hands out `gc` to a new context once the flag is set.
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    setFlagsFromString("--no-expose-gc");
    const held = await waitFor(async () => {
      collectGarbage();
      const body = (await request(`${app.url}/metrics`)).body as string;
      const value = /^friendhook_heap_held_bytes (\d+)$/m.exec(body)?.[1];
      return value === undefined ? undefined : Number(value);
    }, "the held heap after a full collection");
    // What this process holds (the app runs in it): more than a megabyte of modules, less than its heap.
    expect(held).toBeGreaterThan(1_000_000);
    expect(held).toBeLessThan(process.memoryUsage().heapTotal);
  });

  it("counts callbacks, events, deliveries and latency in the Prometheus text", async () => {
    const app = await start();
    await sendStory(app.url);
    await sendCallback(app.url, "easemob", buildEasemobCallback({ secret: "forged", appKey: easemobAppKey, operation: "add", from: "x", to: "y" }));
    // Delivery runs apart from the requests: wait until the console sink has taken all four events.
    const text = await waitFor(async () => {
      const metrics = await request(`${app.url}/metrics`);
      expect(metrics.contentType).toMatch(/^text\/plain/);
      const body = metrics.body as string;
      return body.includes('friendhook_delivered_events_total{sink="console"} 4') ? body : undefined;
    }, "four delivered events");
    for (const line of [
      'friendhook_callbacks_total{provider="easemob",outcome="stored"} 2',
      'friendhook_callbacks_total{provider="easemob",outcome="duplicate"} 1',
      'friendhook_callbacks_total{provider="easemob",outcome="refused"} 1',
      'friendhook_callbacks_total{provider="tencent",outcome="stored"} 1',
      'friendhook_callback_refusals_total{provider="easemob",code="invalid_signature"} 1',
      'friendhook_events_total{provider="easemob",type="friend.added"} 1',
      'friendhook_events_total{provider="tencent",type="friend.blocked"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/friendhook_delivery_attempts_total\{sink="console"\} [1-4]\n/);
    expect(text).toContain('friendhook_http_request_duration_seconds_count{method="POST",route="/webhooks/easemob",status_code="200"} 3');
    expect(text).toContain('friendhook_callback_duration_seconds_count{provider="easemob",outcome="stored"} 2');
    expect(text).toContain("# TYPE friendhook_dead_letters_total counter");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("dead-letters what a sink refuses, lists it, and replays it", async () => {
    const app = await start(
      { ...bothProviders, FRIENDHOOK_SINKS: "memory" },
      { maximumAttempts: 1, initialBackoffMs: 0, pollIntervalMs: 20 },
    );
    const sink = app.application.sinks[0] as import("@friendhook/core").MemorySink;
    sink.failWith(new Error("the queue is down"));
    await sendStory(app.url);

    const deadLetters = await waitFor(async () => {
      const page = await request(`${app.url}/api/dead-letters`);
      return page.body.deadLetters.length === 4 ? page.body : undefined;
    }, "four dead letters");
    expect(deadLetters.deadLetters[0]).toMatchObject({ sink: "memory", attempts: 1, lastError: "Error: the queue is down" });
    const metrics = await waitFor(async () => {
      const body = (await request(`${app.url}/metrics`)).body as string;
      return /friendhook_dead_letters_total\{sink="memory"\} 4\n/.test(body) ? body : undefined;
    }, "the dead letters to be counted");
    expect(metrics).toContain('friendhook_deliveries_dead_lettered{sink="memory"} 4');
    // A failing batch is delivered again in parts: at least one failed call, maybe more.
    expect(metrics).toMatch(/friendhook_delivery_failures_total\{sink="memory"\} [1-9]\d*\n/);

    sink.failWith(undefined);
    const replay = await request(`${app.url}/api/dead-letters/replay`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(replay).toMatchObject({ status: 200, body: { replayed: 4 } });
    await waitFor(() => (sink.events.length === 4 ? true : undefined), "the replayed events to be delivered");
    expect((await request(`${app.url}/api/dead-letters`)).body).toEqual({ deadLetters: [], next: null });
  });

  it("finishes a request in flight when it shuts down", async () => {
    const app = await start();
    const body = Buffer.from(easemob({ operation: "add", from: jid("alice"), to: "bob" }).body);
    const socket = connect(Number(new URL(app.url).port), "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.write(
      `POST /webhooks/easemob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    // "100 Continue" means the server has read the headers: the request is in flight.
    await waitFor(() => (Buffer.concat(received).toString().includes("100 Continue") ? true : undefined), "100 Continue");

    let answeredBeforeStopped = false;
    const stopping = app.stop().then(() => {
      answeredBeforeStopped = Buffer.concat(received).toString().includes("200 OK");
    });
    // The body, then the answer, as a provider waits for it; only then this side's end. (A client
    // that ends its side right after the body may find its request aborted: Node's HTTP server
    // does not answer a connection half-closed before its answer is ready.)
    socket.write(body);
    await waitFor(() => (answerIsWhole(Buffer.concat(received).toString()) ? true : undefined), "the whole answer");
    socket.end();
    await closed;
    await stopping;
    expect(Buffer.concat(received).toString()).toMatch(/HTTP\/1\.1 200 OK/);
    expect(answeredBeforeStopped).toBe(true);
    expect(app.server.listening).toBe(false);
  });
});
