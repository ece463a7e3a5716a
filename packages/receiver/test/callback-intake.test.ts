import { PassThrough, Readable } from "node:stream";
import { createMemoryStore, type FriendEventStore, FriendhookError, type ProviderAdapterV1, type ProviderRequest, type ProviderRequestHead } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import {
  answerCallback,
  type CallbackHandledInfo,
  createBodyBudget,
  createReadApi,
  createReceiver,
  defaultMaximumBodyBytesInFlight,
  type Receiver,
  type ReceiverOptions,
} from "../src/index";
import { readRequestBody } from "../src/node/index";
import { closeReceiversAfterEach, createFixtureAdapter, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

/** The fixture adapter, plus a head check: the `x-app` header must name the configured app. */
function adapterWithHeadCheck(): ProviderAdapterV1 {
  const adapter = createFixtureAdapter();
  return {
    ...adapter,
    authenticateHead(head) {
      if (head.headers["x-app"] !== "demo#app") throw new FriendhookError("app_mismatch", "The x-app header names another app.");
    },
  };
}

function setup(options: Partial<ReceiverOptions> = {}) {
  const handled: CallbackHandledInfo[] = [];
  const store = options.store ?? createMemoryStore();
  const receiver = createReceiver({
    adapters: { fixture: adapterWithHeadCheck() },
    store,
    observer: { callbackHandled: (info) => handled.push(info) },
    ...options,
  });
  opened.push(receiver);
  return { receiver, handled, read: createReadApi({ store, receiver }) };
}

function headOf(request: ProviderRequest, headers: Record<string, string> = {}): ProviderRequestHead {
  const { body: _body, ...head } = request;
  return { ...head, headers: { ...head.headers, "x-app": "demo#app", "content-length": String(request.body.byteLength), ...headers } };
}

const errorOf = (body: string) => (JSON.parse(body) as { fixtureError?: string }).fixtureError;

describe("the body budget", () => {
  it("counts the bytes of every lease until it is released, once", () => {
    const budget = createBodyBudget(100);
    const first = budget.lease();
    const second = budget.lease();
    expect(first.take(60)).toBe(true);
    expect(second.fits(41)).toBe(false);
    expect(second.take(41)).toBe(false);
    expect(second.take(40)).toBe(true);
    expect(budget.bytesInFlight).toBe(100);
    first.release();
    first.release();
    expect(budget.bytesInFlight).toBe(40);
    expect(first.take(1)).toBe(false);
    second.release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it("defaults to 64 MiB per receiver, and refuses a budget that is not a positive integer", () => {
    expect(setup().receiver.bodyBudget.maximumBytes).toBe(defaultMaximumBodyBytesInFlight);
    expect(defaultMaximumBodyBytesInFlight).toBe(64 * 1024 * 1024);
    expect(setup({ maximumBodyBytesInFlight: 4096 }).receiver.bodyBudget.maximumBytes).toBe(4096);
    expect(() => setup({ maximumBodyBytesInFlight: 0 })).toThrow(/maximumBodyBytesInFlight/);
  });
});

describe("readRequestBody within a budget", () => {
  it("refuses a Content-Length that does not fit at once, with receiver_busy 503, reading nothing", async () => {
    const budget = createBodyBudget(100);
    budget.lease().take(60);
    const stream = new PassThrough();
    const error = await readRequestBody(stream, { limitBytes: 1000, timeoutMs: 5000, contentLength: "41", lease: budget.lease() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "receiver_busy", status: 503 });
    expect((error as Error).message).toContain("100 bytes");
    expect(budget.bytesInFlight).toBe(60);
  });

  it("takes each chunk as it arrives, and refuses at the chunk that does not fit", async () => {
    const budget = createBodyBudget(100);
    const lease = budget.lease();
    const bytes = await readRequestBody(Readable.from([Buffer.alloc(30), Buffer.alloc(30)]), { limitBytes: 1000, timeoutMs: 5000, lease });
    expect(bytes.byteLength).toBe(60);
    expect(budget.bytesInFlight).toBe(60);
    const other = budget.lease();
    const error = await readRequestBody(Readable.from([Buffer.alloc(30), Buffer.alloc(30)]), { limitBytes: 1000, timeoutMs: 5000, lease: other }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "receiver_busy" });
    other.release();
    lease.release();
    expect(budget.bytesInFlight).toBe(0);
  });
});

describe("receiver.checkHead", () => {
  it("lets a good head through, so that the body is read", () => {
    const { receiver, read, handled } = setup();
    expect(receiver.checkHead("fixture", headOf(signedCallback()))).toBeUndefined();
    expect(handled).toEqual([]);
  });

  it("refuses what the head tells, in the adapter's format, and reports it", () => {
    const { receiver, read, handled } = setup();
    const answers = [
      receiver.checkHead("fixture", headOf(signedCallback(), { "x-app": "other#app" })),
      receiver.checkHead("fixture", { ...headOf(signedCallback()), method: "PUT" }),
      receiver.checkHead("fixture", headOf(signedCallback(), { "content-type": "multipart/form-data" })),
    ];
    expect(answers.map((answer) => [answer?.status, errorOf(answer?.body ?? "{}")])).toEqual([
      [403, "app_mismatch"],
      [405, "method_not_allowed"],
      [415, "unsupported_media_type"],
    ]);
    expect(answers[1]?.headers.allow).toBe("POST");
    expect(handled.map((info) => [info.outcome, info.errorCode])).toEqual([
      ["refused", "app_mismatch"],
      ["refused", "method_not_allowed"],
      ["refused", "unsupported_media_type"],
    ]);
  });

  it("answers 400 when authenticateHead breaks its contract by throwing something else", () => {
    const adapter: ProviderAdapterV1 = {
      ...createFixtureAdapter(),
      authenticateHead() {
        throw new TypeError("Cannot read properties of undefined");
      },
    };
    const { receiver, read } = setup({ adapters: { fixture: adapter } });
    expect(receiver.checkHead("fixture", headOf(signedCallback()))?.status).toBe(400);
  });

  it("checks only method and content type for an adapter without authenticateHead", () => {
    const { receiver, read } = setup({ adapters: { fixture: createFixtureAdapter() } });
    expect(receiver.checkHead("fixture", headOf(signedCallback(), { "x-app": "other#app" }))).toBeUndefined();
    expect(receiver.checkHead("fixture", { ...headOf(signedCallback()), method: "GET" })?.status).toBe(405);
  });

  it("answers 503 store_unavailable once the receiver is closing", async () => {
    const { receiver, read } = setup();
    const closing = receiver.close();
    const answer = receiver.checkHead("fixture", headOf(signedCallback()));
    expect([answer?.status, errorOf(answer?.body ?? "{}")]).toEqual([503, "store_unavailable"]);
    await closing;
  });
});

describe("answerCallback", () => {
  it("refuses a forged head without reading the body, and says to close the connection", async () => {
    const { receiver, read } = setup();
    let bodyRead = false;
    const answer = await answerCallback(receiver, "fixture", {
      head: headOf(signedCallback(), { "x-app": "other#app" }),
      readBody: async () => {
        bodyRead = true;
        return new Uint8Array();
      },
    });
    expect(bodyRead).toBe(false);
    expect([answer.response.status, errorOf(answer.response.body), answer.closeConnection]).toEqual([403, "app_mismatch", true]);
    expect((await read.events()).events).toEqual([]);
  });

  it("keeps the connection of a refused request without a body", async () => {
    const { receiver, read } = setup();
    const { "content-length": _length, ...headers } = headOf(signedCallback()).headers;
    const answer = await answerCallback(receiver, "fixture", {
      head: { ...headOf(signedCallback()), method: "GET", headers },
      readBody: async () => new Uint8Array(),
    });
    expect([answer.response.status, answer.closeConnection]).toEqual([405, false]);
  });

  it("stores a good callback, holding its bytes in the budget until the answer is ready", async () => {
    const memory = createMemoryStore();
    let bytesWhileStoring = -1;
    const { receiver, read } = setup({
      store: {
        ...memory,
        append: async (input) => {
          bytesWhileStoring = receiver.bodyBudget.bytesInFlight;
          return memory.append(input);
        },
      } satisfies FriendEventStore,
    });
    const request = signedCallback();
    const answer = await answerCallback(receiver, "fixture", {
      head: headOf(request),
      readBody: async (lease) => {
        expect(lease.take(request.body.byteLength)).toBe(true);
        return request.body;
      },
    });
    expect([answer.response.status, answer.closeConnection]).toEqual([200, false]);
    expect(bytesWhileStoring).toBe(request.body.byteLength);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
    expect((await read.events()).events).toHaveLength(1);
  });

  it("answers a body over the budget 503 receiver_busy with Retry-After, closes, stores nothing and gives the bytes back", async () => {
    const { receiver, read, handled } = setup({ maximumBodyBytesInFlight: 64 });
    const request = signedCallback();
    const answer = await answerCallback(receiver, "fixture", {
      head: headOf(request),
      readBody: (lease) => readRequestBody(Readable.from([Buffer.from(request.body)]), { limitBytes: 1024, timeoutMs: 5000, lease }),
    });
    expect([answer.response.status, errorOf(answer.response.body), answer.response.headers["retry-after"], answer.closeConnection]).toEqual([
      503,
      "receiver_busy",
      "1",
      true,
    ]);
    expect(handled.map((info) => [info.outcome, info.errorCode])).toEqual([["failed", "receiver_busy"]]);
    expect(receiver.bodyBudget.bytesInFlight).toBe(0);
    expect((await read.events()).events).toEqual([]);
  });

  it("answers a body that breaks in an unexpected way 400 malformed_body", async () => {
    const { receiver, read } = setup();
    const answer = await answerCallback(receiver, "fixture", {
      head: headOf(signedCallback()),
      readBody: async () => {
        throw new Error("socket hang up");
      },
    });
    expect([answer.response.status, errorOf(answer.response.body), answer.closeConnection]).toEqual([400, "malformed_body", true]);
  });
});
