import {
  createMemoryStore,
  deliverToSink,
  type FriendEvent,
  FriendhookError,
  type FriendEventSink,
  type ProviderAdapterV1,
  SinkBatchError,
  SinkError,
} from "@friendhook/core";
import { createReceiver } from "@friendhook/receiver";
import { buildFriendEvent, buildFriendEvents, describeSinkConformance, unusedLocalPort } from "@friendhook/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpSink, type FriendCloudEvent, type StandardWebhookPayload, verifyStandardWebhook } from "../src/index";
import { retryAfterMs } from "../src/retry-after";
import { bodyLimitBytes, type ReceivedRequest, startWebhookTestServer, type WebhookTestServer } from "./webhook-test-server";

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

/** For receivers that only deliver what a test stored itself. */
const noCallbacks: ProviderAdapterV1 = {
  specificationVersion: "v1",
  provider: "none",
  receive: async () => {
    throw new FriendhookError("unsupported_command", "This receiver takes no callbacks.");
  },
  refuse: (error) => ({ status: error.status, headers: {}, body: "" }),
};

async function waitUntil(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The requests the endpoint took (2xx). */
const accepted = (server: WebhookTestServer) => server.requests.filter((request) => request.status !== undefined && request.status < 300);

/** An event whose friend-request reason is 100 KB: the test endpoint answers 413 to it. */
const withLongReason = (event: FriendEvent): FriendEvent => ({ ...event, details: { ...event.details, reason: "好".repeat(100_000 / 3) } }) as FriendEvent;

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
      readEvents: async (sink) => accepted(sinkOf.get(sink) as WebhookTestServer).flatMap((request) => eventsOf(request)),
      createUnreachableSink: async () => createHttpSink({ url: `http://127.0.0.1:${await unusedLocalPort()}/`, secret }),
      refuseEvent: withLongReason,
      createReceiver,
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
        for (const request of accepted(sinkOf.get(sink) as WebhookTestServer)) {
          for (const event of eventsOf(request)) if (!stored.has(event.id)) stored.set(event.id, event);
        }
        return [...stored.values()];
      },
      refuseEvent: withLongReason,
      createReceiver,
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
    // The first event got through: the sink says so, so that only the rest is sent again.
    expect(crashed).toBeInstanceOf(SinkBatchError);
    expect((crashed as SinkBatchError).outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "failed", "not-attempted"]);
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

describe("HTTP sink: one bad event does not take its batch down", () => {
  it("reports which events got through before a failure, one request per event", async () => {
    const server = await openServer();
    const sink = createHttpSink({ url: server.url, secret });
    let seen = 0;
    server.answer = () => (++seen === 3 ? { status: 500 } : { status: 204 });
    const report = await deliverToSink(sink, buildFriendEvents(5));
    expect(report.batchError).toBeUndefined();
    expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "delivered", "failed", "not-attempted", "not-attempted"]);
    expect(server.requests).toHaveLength(3);
  });

  it("fails the batch as a whole when the first request fails for a reason that may be the endpoint's", async () => {
    const server = await openServer();
    server.answer = () => ({ status: 503 });
    const failure = await failureOf(createHttpSink({ url: server.url, secret }).deliver(buildFriendEvents(3)));
    expect(failure).toBeInstanceOf(SinkError);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses an event too large for the endpoint permanently when it is sent alone, never a batch of several", async () => {
    const server = await openServer();
    const [first, second] = buildFriendEvents(2) as [FriendEvent, FriendEvent];
    const large = withLongReason(second);
    const alone = await deliverToSink(createHttpSink({ url: server.url, secret }), [first, large]);
    expect(alone.outcomes[0]).toEqual({ status: "delivered" });
    const refusal = alone.outcomes[1];
    expect(refusal?.status === "failed" && refusal.error instanceof SinkError && refusal.error.permanent).toBe(true);

    const batched = (await failureOf(createHttpSink({ url: server.url, secret, batch: true }).deliver([first, large]))) as SinkError;
    expect(batched).toBeInstanceOf(SinkError);
    expect(batched.message).toContain("413");
    expect(batched.permanent).toBe(false);
  });

  it("through a receiver, batches of 5 events: one with a 100 KB reason is dead-lettered, the 4 others are delivered", async () => {
    const server = await openServer();
    const events = buildFriendEvents(5);
    const large = withLongReason(events[2] as FriendEvent);
    const batch = events.map((event, index) => (index === 2 ? large : event));
    const store = createMemoryStore();
    await store.append({ events: batch, sinks: ["http"] });
    const receiver = createReceiver({
      adapters: { none: noCallbacks },
      store,
      sinks: [createHttpSink({ url: server.url, secret, batch: true })],
      delivery: { batchSize: 5, maximumAttempts: 10, initialBackoffMs: 10, maximumBackoffMs: 50, pollIntervalMs: 10 },
    });
    receiver.start();
    try {
      await waitUntil(async () => (await store.countDeliveries()).every((count) => count.pending === 0), "nothing is pending");
      const { deadLetters } = await store.listDeadLetters();
      expect(deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[large.id, 1]]);
      expect(deadLetters[0]?.lastError).toContain("413");
      const delivered = accepted(server).flatMap((request) => eventsOf(request));
      expect(delivered.map((event) => event.id).sort()).toEqual(batch.filter((event) => event !== large).map((event) => event.id).sort());
      // Halving 5 events down to the large one alone: it is sent in at most four requests.
      expect(server.requests.filter((request) => Buffer.byteLength(request.body) > bodyLimitBytes).length).toBeLessThanOrEqual(4);
    } finally {
      await receiver.close();
    }
  });
});

describe("Retry-After from a hostile or broken endpoint", () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0);

  it("reads delay-seconds and the three HTTP-date forms", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Sat, 01 Jun 2024 12:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Saturday, 01-Jun-24 12:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Sat Jun  1 12:01:00 2024", now)).toBe(60_000);
    expect(retryAfterMs("Fri, 31 May 2024 12:00:00 GMT", now)).toBe(0);
  });

  it("keeps a huge wait finite, whatever the number of digits", () => {
    for (const header of ["9".repeat(400), "1".padEnd(40, "0"), String(Number.MAX_SAFE_INTEGER)]) {
      const wait = retryAfterMs(header, now);
      expect(Number.isSafeInteger(wait)).toBe(true);
      expect(wait).toBe(Number.MAX_SAFE_INTEGER);
    }
    const farFuture = retryAfterMs("Fri, 31 Dec 9999 23:59:59 GMT", now);
    expect(Number.isSafeInteger(farFuture)).toBe(true);
    expect(farFuture).toBeGreaterThan(0);
  });

  it("ignores a value that is neither, rather than guessing a date from it", () => {
    for (const header of ["-5", "-1", "1.5", "1e3", "0x10", "Infinity", "NaN", "garbage 12", "12 garbage", "tomorrow", "", "Mon, 32 Jan 2024 00:00:00 GMT", "Sat, 01 Jun 2024 12:01:00 UTC", "\u0000"]) {
      expect([header, retryAfterMs(header, now)]).toEqual([header, undefined]);
    }
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it("through a receiver, a 400-digit Retry-After still lets the delivery be retried and dead-lettered", async () => {
    const server = await openServer();
    server.answer = () => ({ status: 503, headers: { "retry-after": "9".repeat(400) } });
    let clock = now;
    const store = createMemoryStore();
    await store.append({ events: buildFriendEvents(1), sinks: ["http"] });
    let failedAttempts = 0;
    const receiver = createReceiver({
      adapters: { none: noCallbacks },
      store,
      sinks: [createHttpSink({ url: server.url, secret })],
      delivery: { maximumAttempts: 2, initialBackoffMs: 10, maximumBackoffMs: 60_000, pollIntervalMs: 10 },
      now: () => clock,
      // Called once the failure is recorded: only then may the clock move.
      observer: { deliveryAttempted: (info) => (failedAttempts += info.succeeded ? 0 : 1) },
    });
    receiver.start();
    try {
      await waitUntil(() => failedAttempts === 1, "the first attempt failed");
      // The wait asked for is capped at the longest backoff (60 s).
      clock += 60_000;
      await waitUntil(async () => (await store.listDeadLetters()).deadLetters.length === 1, "the delivery is dead-lettered");
      expect(server.requests).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
