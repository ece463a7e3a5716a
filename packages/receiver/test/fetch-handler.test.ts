import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { type CallbackHandledInfo, createFetchHandler, defaultPathPrefix } from "../src/index";
import { createProviderReceiver, errorCodeOf, providerCallbacks, sdkAppId, webRequestOf } from "./provider-callbacks";

const base = "https://receiver.example.com";

async function answerOf(response: Response) {
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A body that sends `first`, then nothing more until `finish` is called: a slow or stalled upload. */
function stalledBody(first: Uint8Array) {
  let pulls = 0;
  let cancelled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
    pull() {
      pulls += 1;
      if (pulls === 1) controller.enqueue(first);
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    stream,
    pulls: () => pulls,
    cancelled: () => cancelled,
    finish(rest: Uint8Array) {
      controller.enqueue(rest);
      controller.close();
    },
  };
}

/** A Tencent callback as a Request whose body comes from `body`, with the Content-Length of the whole. */
function streamedTencentRequest(body: ReadableStream<Uint8Array>, length: number, app = sdkAppId): Request {
  const request = webRequestOf(base, providerCallbacks.tencent("mallory", app));
  return new Request(request.url, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(length) },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("createFetchHandler routes", () => {
  it("POST /webhooks/{adapter} by default, OpenIM's command segment too, and 404 route_not_found for any other path", async () => {
    const { receiver, read } = createProviderReceiver();
    const handle = createFetchHandler(receiver);
    expect(defaultPathPrefix).toBe("/webhooks");
    expect((await handle(webRequestOf(base, providerCallbacks.easemob()))).status).toBe(200);
    expect((await handle(webRequestOf(base, providerCallbacks.openim()))).status).toBe(200);
    for (const path of ["/webhooks", "/webhooks/", "/webhooks/line", "/webhooks/openim/callbackAfterAddFriendAgreeCommand/more", "/hooks/easemob", "/"]) {
      const answer = await answerOf(await handle(webRequestOf(base, providerCallbacks.easemob("bob"), path)));
      expect([path, answer.status, errorCodeOf(answer), answer.headers.get("content-type")]).toEqual([path, 404, "route_not_found", "application/json"]);
    }
    expect((await read.events()).events.map((event) => event.provider)).toEqual(["easemob", "easemob", "openim", "openim"]);
  });

  it("answers another method on a route 405 with Allow: POST, in the provider's format", async () => {
    const { receiver } = createProviderReceiver();
    const handle = createFetchHandler(receiver);
    for (const method of ["GET", "PUT", "DELETE"]) {
      const answer = await answerOf(await handle(webRequestOf(base, providerCallbacks.tencent(), "/webhooks/tencent", method)));
      expect([method, answer.status, answer.headers.get("allow"), errorCodeOf(answer)]).toEqual([method, 405, "POST", "method_not_allowed"]);
    }
  });

  it("serves routes under another prefix, or at the root", async () => {
    const { receiver } = createProviderReceiver();
    const under = createFetchHandler(receiver, { pathPrefix: "/api/im/callbacks" });
    expect((await under(webRequestOf(base, providerCallbacks.tencent("mallory"), "/api/im/callbacks/tencent"))).status).toBe(200);
    expect((await under(webRequestOf(base, providerCallbacks.tencent("erin"), "/webhooks/tencent"))).status).toBe(404);
    const atRoot = createFetchHandler(receiver, { pathPrefix: "" });
    expect((await atRoot(webRequestOf(base, providerCallbacks.tencent("erin"), "/tencent"))).status).toBe(200);
  });

  it("serves one adapter whatever the path when given adapter, for frameworks that route themselves", async () => {
    const { receiver, read } = createProviderReceiver();
    const handle = createFetchHandler(receiver, { adapter: "easemob" });
    expect((await handle(webRequestOf(base, providerCallbacks.easemob(), "/api/easemob-callbacks"))).status).toBe(200);
    expect(await read.friendsOf({ provider: "easemob", appId: "1112220101#demo", userId: "alice" })).toEqual({ friends: ["bob"], blocked: [] });
  });

  it("refuses wrong options at construction, with misconfigured", () => {
    const { receiver } = createProviderReceiver({ maximumBodyBytesInFlight: 4096 });
    const misconfigured = (options: object) => {
      try {
        createFetchHandler(receiver, options as never);
      } catch (error) {
        return error instanceof FriendhookError && error.code === "misconfigured" ? error.message : `not misconfigured: ${String(error)}`;
      }
      return "accepted";
    };
    expect(misconfigured({ prefix: "/hooks" })).toMatch(/prefix/);
    expect(misconfigured({ pathPrefix: "/hooks/" })).toMatch(/pathPrefix/);
    expect(misconfigured({ pathPrefix: "hooks" })).toMatch(/pathPrefix/);
    expect(misconfigured({ adapter: "easemob", pathPrefix: "/hooks" })).toMatch(/not both/);
    expect(misconfigured({ adapter: "line" })).toMatch(/no adapter named "line" \(configured: easemob, tencent, openim\)/);
    expect(misconfigured({ bodyLimitBytes: 8192 })).toMatch(/maximumBodyBytesInFlight \(4096\)/);
    expect(misconfigured({ bodyLimitBytes: 4096, bodyTimeoutMs: 0 })).toMatch(/bodyTimeoutMs/);
    expect(misconfigured({ pathPrefix: "", bodyLimitBytes: 4096 })).toBe("accepted");
  });
});

describe("createFetchHandler reads the body", () => {
  it("refuses a forged callback from its head at once, never reading the body, and says to close the connection", async () => {
    const handled: CallbackHandledInfo[] = [];
    const { receiver, read } = createProviderReceiver({ observer: { callbackHandled: (info) => handled.push(info) } });
    const handle = createFetchHandler(receiver);
    const upload = stalledBody(new Uint8Array(1024));
    const request = streamedTencentRequest(upload.stream, 900_000, "1400000009");
    const answer = await answerOf(await handle(request));
    expect([answer.status, errorCodeOf(answer), answer.headers.get("connection")]).toEqual([403, "app_mismatch", "close"]);
    // Nothing took a reader: the body was never read.
    expect([request.bodyUsed, upload.stream.locked]).toEqual([false, false]);
    expect(handled.map((info) => [info.adapter, info.outcome, info.errorCode])).toEqual([["tencent", "refused", "app_mismatch"]]);
    expect((await read.events()).events).toEqual([]);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
  });

  it("reads a signed body that arrives slowly to its end, and stores it", async () => {
    const { receiver, read } = createProviderReceiver();
    const handle = createFetchHandler(receiver);
    const body = providerCallbacks.tencent("mallory").body;
    const upload = stalledBody(body.subarray(0, 10));
    const answering = handle(streamedTencentRequest(upload.stream, body.byteLength));
    while (upload.pulls() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(receiver.bodyBudget.bytesInFlight).toBe(10);
    upload.finish(body.subarray(10));
    expect((await answering).status).toBe(200);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
    expect(await read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "alice" })).toEqual({ friends: [], blocked: ["mallory"] });
  });

  it("refuses a Content-Length over the limit with 413 before reading, and a longer streamed body while reading", async () => {
    const { receiver, read } = createProviderReceiver();
    const handle = createFetchHandler(receiver, { bodyLimitBytes: 100 });
    const declared = stalledBody(new Uint8Array(50));
    const byLength = await answerOf(await handle(streamedTencentRequest(declared.stream, 101)));
    expect([byLength.status, errorCodeOf(byLength), byLength.headers.get("connection")]).toEqual([413, "body_too_large", "close"]);
    expect([declared.stream.locked, declared.cancelled()]).toEqual([false, true]);

    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(60));
      },
    });
    const request = webRequestOf(base, providerCallbacks.tencent());
    const streamed = await answerOf(await handle(new Request(request.url, { method: "POST", headers: { "content-type": "application/json" }, body: chunked, duplex: "half" } as RequestInit)));
    expect([streamed.status, errorCodeOf(streamed), streamed.headers.get("connection")]).toEqual([413, "body_too_large", "close"]);
    expect((await read.events()).events).toEqual([]);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
  });

  it("answers 408 request_timeout when the body does not arrive within bodyTimeoutMs, and cancels it", async () => {
    const { receiver } = createProviderReceiver();
    const handle = createFetchHandler(receiver, { bodyTimeoutMs: 50 });
    const upload = stalledBody(new Uint8Array(10));
    const answer = await answerOf(await handle(streamedTencentRequest(upload.stream, 100)));
    expect([answer.status, errorCodeOf(answer), answer.headers.get("connection")]).toEqual([408, "request_timeout", "close"]);
    expect(answer.body).toContain("50 ms");
    expect(upload.cancelled()).toBe(true);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
  });

  it("answers 503 receiver_busy with Retry-After when the bodies in flight fill the receiver's budget", async () => {
    const { receiver } = createProviderReceiver({ maximumBodyBytesInFlight: 1000 });
    const handle = createFetchHandler(receiver, { bodyLimitBytes: 1000 });
    const holding = stalledBody(new Uint8Array(700));
    const first = handle(streamedTencentRequest(holding.stream, 900));
    while (receiver.bodyBudget.bytesInFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const byLength = await answerOf(await handle(streamedTencentRequest(stalledBody(new Uint8Array(10)).stream, 400)));
    expect([byLength.status, errorCodeOf(byLength), byLength.headers.get("retry-after"), byLength.headers.get("connection")]).toEqual([
      503,
      "receiver_busy",
      "1",
      "close",
    ]);
    const signed = providerCallbacks.tencent("erin");
    const fits = await handle(webRequestOf(base, signed));
    expect(fits.status).toBe(200);

    holding.finish(new Uint8Array(200));
    expect((await first).status).toBe(400);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
  });

  it("reads no body as an empty one (400 malformed_body), and a body read before it as a wiring mistake (500 misconfigured)", async () => {
    const { receiver } = createProviderReceiver();
    const handle = createFetchHandler(receiver);
    const request = webRequestOf(base, providerCallbacks.tencent());
    const empty = await answerOf(await handle(new Request(request.url, { method: "POST", headers: { "content-type": "application/json" } })));
    expect([empty.status, errorCodeOf(empty)]).toEqual([400, "malformed_body"]);

    const readFirst = webRequestOf(base, providerCallbacks.tencent());
    await readFirst.json();
    const consumed = await answerOf(await handle(readFirst));
    expect([consumed.status, errorCodeOf(consumed)]).toEqual([500, "misconfigured"]);
    expect(consumed.body).toContain("hand friendhook the request untouched");
  });

  it("takes the body from a stream that breaks as 400 malformed_body", async () => {
    const { receiver } = createProviderReceiver();
    const handle = createFetchHandler(receiver);
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(new Uint8Array(10));
        else controller.error(new Error("socket hang up"));
      },
    });
    const answer = await answerOf(await handle(streamedTencentRequest(broken, 100)));
    expect([answer.status, errorCodeOf(answer), answer.headers.get("connection")]).toEqual([400, "malformed_body", "close"]);
  });
});
