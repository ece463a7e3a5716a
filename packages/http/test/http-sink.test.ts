import { type FriendEvent, FriendhookError, type FriendEventSink, SinkError } from "@friendhook/core";
import { buildFriendEvent, buildFriendEvents, describeSinkConformance, unusedLocalPort } from "@friendhook/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpSink, type FriendCloudEvent, type StandardWebhookPayload, verifyStandardWebhook } from "../src/index";
import { type ReceivedRequest, startWebhookTestServer, type WebhookTestServer } from "./webhook-test-server";

const secret = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;
const nextSecret = `whsec_${Buffer.alloc(32, 4).toString("base64")}`;

const servers: WebhookTestServer[] = [];
async function openServer(port?: number): Promise<WebhookTestServer> {
  const server = await startWebhookTestServer(port);
  servers.push(server);
  return server;
}
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

/** Verifies a received request as a receiver would, and returns the events it carries. */
function eventsOf(request: ReceivedRequest, secrets: string | string[] = secret): FriendEvent[] {
  const { payload } = verifyStandardWebhook({ body: request.body, headers: request.headers, secret: secrets });
  const items = (Array.isArray(payload) ? payload : [payload]) as Array<StandardWebhookPayload | FriendCloudEvent>;
  return items.map((item) => item.data);
}

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("createHttpSink options", () => {
  it("refuses a mistyped option at construction", () => {
    expect(() => createHttpSink({ url: "http://127.0.0.1/", secret, batched: true } as never)).toThrow(FriendhookError);
    expect(() => createHttpSink({ url: "ftp://127.0.0.1/", secret })).toThrow(/url/);
    expect(() => createHttpSink({ url: "http://127.0.0.1/", secret, format: "xml" as never })).toThrow(/format/);
    expect(() => createHttpSink({ url: "http://127.0.0.1/", secret, headers: { "bad header": "x" } })).toThrow(/headers/);
  });

  it("refuses a secret that is not a Standard Webhooks key, without repeating it", () => {
    expect(() => createHttpSink({ url: "http://127.0.0.1/", secret: "whsec_not base64!" })).toThrow(/secret/);
    expect(() => createHttpSink({ url: "http://127.0.0.1/", secret: `whsec_${Buffer.alloc(8).toString("base64")}` })).toThrow(/24 to 64 bytes/);
    try {
      createHttpSink({ url: "http://127.0.0.1/", secret: "whsec_hunter2hunter2" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });
});

describe("HTTP sink against a real server", () => {
  describe("one request per event", () => {
    const sinkOf = new WeakMap<FriendEventSink, WebhookTestServer>();
    describeSinkConformance("http", {
      createSink: async () => {
        const server = await openServer();
        const sink = createHttpSink({ url: server.url, secret });
        sinkOf.set(sink, server);
        return sink;
      },
      readEvents: async (sink) => (sinkOf.get(sink) as WebhookTestServer).requests.flatMap((request) => eventsOf(request)),
      createUnreachableSink: async () => createHttpSink({ url: `http://127.0.0.1:${await unusedLocalPort()}/`, secret }),
    });
  });

  describe("batches of CloudEvents to a receiver that dedupes", () => {
    const sinkOf = new WeakMap<FriendEventSink, WebhookTestServer>();
    describeSinkConformance("http batch", {
      createSink: async () => {
        const server = await openServer();
        const sink = createHttpSink({ url: server.url, secret, format: "cloudevents", batch: true, receiverDeduplicates: true });
        sinkOf.set(sink, server);
        return sink;
      },
      // The receiver keeps one copy per CloudEvent id, as the sink's `receiverDeduplicates` promises.
      readEvents: async (sink) => {
        const stored = new Map<string, FriendEvent>();
        for (const request of (sinkOf.get(sink) as WebhookTestServer).requests) {
          for (const event of eventsOf(request)) if (!stored.has(event.id)) stored.set(event.id, event);
        }
        return [...stored.values()];
      },
    });
  });

  it("sends a signed Standard Webhook per event, with the event id as webhook-id", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret: [secret, nextSecret], headers: { authorization: "Bearer token", "Content-Type": "text/plain" } });
    const event = buildFriendEvent({ provider: "easemob", appId: "org#app" });
    await sink.deliver([event]);
    const [request] = server.requests as [ReceivedRequest];
    expect(request.headers["webhook-id"]).toBe(event.id);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.authorization).toBe("Bearer token");
    expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    // Either secret verifies it while the endpoint rotates.
    expect(eventsOf(request, nextSecret)).toEqual([event]);
    expect(JSON.parse(request.body)).toEqual({ type: event.type, timestamp: event.occurredAt, data: event });
    expect(() => eventsOf(request, `whsec_${Buffer.alloc(32, 5).toString("base64")}`)).toThrow(/signature/);
  });

  it("sends structured CloudEvents when asked", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret, format: "cloudevents" });
    const event = buildFriendEvent({ provider: "easemob", appId: "org#app" });
    await sink.deliver([event]);
    const [request] = server.requests as [ReceivedRequest];
    expect(request.headers["content-type"]).toBe("application/cloudevents+json");
    expect(JSON.parse(request.body)).toEqual({
      specversion: "1.0",
      id: event.id,
      source: "friendhook://easemob/org%23app",
      type: "friend.added",
      time: event.occurredAt,
      datacontenttype: "application/json",
      data: event,
    });
  });

  it("sends a batch as one request whose id is the same for every attempt", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret, batch: true, cloudEventSource: "urn:example" });
    const events = buildFriendEvents(3);
    await sink.deliver(events);
    await sink.deliver(events);
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests as [ReceivedRequest, ReceivedRequest];
    expect(first.headers["webhook-id"]).toMatch(/^batch_[0-9a-f]{32}$/);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(eventsOf(first)).toEqual(events);
  });

  it("passes on the wait a Retry-After asks for, in seconds or as a date", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret });
    server.answer = () => ({ status: 503, headers: { "retry-after": "7" } });
    const inSeconds = await failureOf(sink.deliver(buildFriendEvents(1)));
    expect(inSeconds).toBeInstanceOf(SinkError);
    expect((inSeconds as SinkError).retryAfterMs).toBe(7_000);
    expect((inSeconds as SinkError).permanent).toBe(false);

    const later = new Date(Date.now() + 3_600_000).toUTCString();
    server.answer = () => ({ status: 429, headers: { "retry-after": later } });
    const asDate = (await failureOf(sink.deliver(buildFriendEvents(1)))) as SinkError;
    expect(asDate.retryAfterMs).toBeGreaterThan(3_000_000);
    expect(asDate.retryAfterMs).toBeLessThanOrEqual(3_600_000);

    server.answer = () => ({ status: 500 });
    const plain = (await failureOf(sink.deliver(buildFriendEvents(1)))) as SinkError;
    expect(plain).toBeInstanceOf(SinkError);
    expect(plain.retryAfterMs).toBeUndefined();
    expect(plain.message).toContain("500");
    expect(plain.message).not.toContain(server.url);
  });

  it("treats 410 Gone as permanent", async () => {
    const server = await openServer();
    server.answer = () => ({ status: 410 });
    const failure = await failureOf(createHttpSink({ url: server.url, secret }).deliver(buildFriendEvents(1)));
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as SinkError).permanent).toBe(true);
  });

  it("does not follow a redirect", async () => {
    const target = await openServer();
    const server = await openServer();
    server.answer = () => ({ status: 307, headers: { location: target.url } });
    const failure = await failureOf(createHttpSink({ url: server.url, secret }).deliver(buildFriendEvents(1)));
    expect(failure).toBeInstanceOf(SinkError);
    expect(target.requests).toHaveLength(0);
  });

  it("gives up on an endpoint that does not answer in time", async () => {
    const server = await openServer();
    server.answer = () => "hang";
    const failure = await failureOf(createHttpSink({ url: server.url, secret, timeoutMs: 200 }).deliver(buildFriendEvents(1)));
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as SinkError).message).toMatch(/timed out/);
  });

  it("loses nothing when the server stops during a delivery and starts again on the same port", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret });
    const events = buildFriendEvents(9);
    const delivered: FriendEvent[] = [];
    const collect = () => delivered.push(...server.requests.splice(0).flatMap((request) => eventsOf(request)));

    await sink.deliver(events.slice(0, 3));
    collect();

    // The server dies while the second event of the next batch arrives.
    let seen = 0;
    server.answer = () => (++seen === 2 ? "crash" : { status: 204 });
    const crashed = await failureOf(sink.deliver(events.slice(3, 6)));
    expect(crashed).toBeInstanceOf(SinkError);
    collect();
    await server.stop();

    const whileDown = await failureOf(sink.deliver(events.slice(3, 6)));
    expect(whileDown).toBeInstanceOf(SinkError);
    expect((whileDown as SinkError).message).toMatch(/ECONNREFUSED/);

    server.answer = () => ({ status: 204 });
    await server.start();
    // The failed batch is delivered again in full, then the next one.
    await sink.deliver(events.slice(3, 6));
    await sink.deliver(events.slice(6));
    collect();

    const deliveredIds = new Set(delivered.map((event) => event.id));
    expect(events.filter((event) => !deliveredIds.has(event.id))).toEqual([]);
    // At least once: the event before the crash arrives twice, nothing else does.
    expect(delivered.map((event) => event.id)).toEqual(
      [...events.slice(0, 4), ...events.slice(3)].map((event) => event.id),
    );
  });
});
