import {
  createMemorySink,
  createMemoryStore,
  deriveCallbackId,
  type FriendEventStore,
  FriendhookError,
  maximumUserIdLength,
  type ProviderAdapterV1,
  type ProviderRequest,
} from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { type CallbackHandledInfo, createReadApi, createReceiver, type ReceiverOptions } from "../src/index";
import { closeReceiversAfterEach, createFixtureAdapter, signedCallback } from "./support";

const opened = closeReceiversAfterEach();

function setup(options: Partial<ReceiverOptions> = {}) {
  const handled: CallbackHandledInfo[] = [];
  const store = options.store ?? createMemoryStore();
  const receiver = createReceiver({
    adapters: { fixture: createFixtureAdapter() },
    store,
    observer: { callbackHandled: (info) => handled.push(info) },
    ...options,
  });
  opened.push(receiver);
  return { receiver, store, handled, read: createReadApi({ store, receiver }) };
}

const errorOf = (body: string) => (JSON.parse(body) as { fixtureError?: string }).fixtureError;

describe("createReceiver options", () => {
  it("refuses mistyped options at construction, naming them", () => {
    const base = { adapters: { fixture: createFixtureAdapter() }, store: createMemoryStore() };
    expect(() => createReceiver({ ...base, delivery: { maximumAttempt: 3 } } as never)).toThrow(/delivery.*maximumAttempt/);
    expect(() => createReceiver({ ...base, sink: [] } as never)).toThrow(FriendhookError);
    expect(() => createReceiver({ ...base, adapters: {} })).toThrow(/at least one adapter/);
    expect(() => createReceiver({ ...base, store: {} as FriendEventStore })).toThrow(/FriendEventStore/);
    expect(() => createReceiver({ ...base, sinks: [createMemorySink(), createMemorySink()] })).toThrow(/its own name/);
    expect(() => createReceiver({ ...base, delivery: { initialBackoffMs: 5000, maximumBackoffMs: 1000 } })).toThrow(/initialBackoffMs/);
    expect(createReceiver(base).adapterNames).toEqual(["fixture"]);
  });
});

describe("receiver.handle", () => {
  it("stores the events, then acknowledges, and reports the outcome", async () => {
    const { receiver, read, handled } = setup();
    const answer = await receiver.handle("fixture", signedCallback({ type: "friend.added", actor: "alice", target: "bob" }));
    expect(answer).toEqual({ status: 200, headers: { "content-type": "text/plain" }, body: "ok" });
    expect((await read.events()).events.map((event) => event.type)).toEqual(["friend.added"]);
    expect(await read.friendsOf({ provider: "fixture", appId: "demo#app", userId: "bob" })).toEqual({ friends: ["alice"], blocked: [] });
    expect(handled).toEqual([expect.objectContaining({ adapter: "fixture", provider: "fixture", outcome: "stored", status: 200, eventTypes: ["friend.added"] })]);
  });

  it("answers only after the store has made the callback durable", async () => {
    const memory = createMemoryStore();
    let finishAppend = () => undefined as void;
    const store: FriendEventStore = {
      ...memory,
      append: async (input) => {
        await new Promise<void>((resolve) => {
          finishAppend = resolve;
        });
        return memory.append(input);
      },
    };
    const { receiver, read } = setup({ store });
    let answered = false;
    const answer = receiver.handle("fixture", signedCallback()).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    finishAppend();
    expect((await answer).status).toBe(200);
    expect((await memory.listEvents()).events).toHaveLength(1);
  });

  it("reports a retried callback as a duplicate and stores it once", async () => {
    const { receiver, read, handled } = setup();
    const request = signedCallback({ id: "same" });
    await receiver.handle("fixture", request);
    expect((await receiver.handle("fixture", request)).status).toBe(200);
    expect((await read.events()).events).toHaveLength(1);
    expect(handled.map((info) => info.outcome)).toEqual(["stored", "duplicate"]);
  });

  it("keeps an unrecognized callback with its raw body", async () => {
    const { receiver, read, handled } = setup();
    const request = signedCallback({ type: "roster.rename" });
    expect((await receiver.handle("fixture", request)).status).toBe(200);
    const { callbacks } = await read.unrecognized();
    const body = Buffer.from(request.body).toString("utf8");
    expect(callbacks).toEqual([
      {
        id: deriveCallbackId({ provider: "fixture", appId: "demo#app", command: "roster.rename", body }),
        provider: "fixture",
        appId: "demo#app",
        command: "roster.rename",
        unrecognizedReason: "not a friend event",
        receivedAt: request.receivedAt.toISOString(),
        body,
      },
    ]);
    expect(callbacks[0]?.id).toMatch(/^cb_[0-9a-f]{32}$/);
    expect(handled[0]?.outcome).toBe("unrecognized");
  });

  it("keeps each accepted callback once, and links its events to it", async () => {
    const { receiver, read, handled } = setup();
    const request = signedCallback({ type: "friend.added", actor: "alice", target: "bob", id: "kept" });
    expect((await receiver.handle("fixture", request)).status).toBe(200);
    // A retry: the same body, read again later.
    expect((await receiver.handle("fixture", { ...request, receivedAt: new Date(request.receivedAt.getTime() + 5000) })).status).toBe(200);
    const [event] = (await read.events()).events;
    const body = Buffer.from(request.body).toString("utf8");
    const kept = {
      id: deriveCallbackId({ provider: "fixture", appId: "demo#app", command: "friend.added", body }),
      provider: "fixture",
      appId: "demo#app",
      command: "friend.added",
      receivedAt: request.receivedAt.toISOString(),
      body,
    };
    expect(await read.callback({ eventId: event?.id ?? "" })).toEqual(kept);
    expect(await read.callback({ callbackId: kept.id })).toEqual(kept);
    expect((await read.unrecognized()).callbacks).toEqual([]);
    expect(handled.map((info) => info.outcome)).toEqual(["stored", "duplicate"]);
  });

  it("keeps no body of a recognized callback when keepRecognizedCallbacks is off, and still every unrecognized one", async () => {
    const { receiver, read } = setup({ keepRecognizedCallbacks: false });
    expect((await receiver.handle("fixture", signedCallback({ type: "friend.added" }))).status).toBe(200);
    expect((await receiver.handle("fixture", signedCallback({ type: "roster.rename" }))).status).toBe(200);
    const [event] = (await read.events()).events;
    expect(await read.callback({ eventId: event?.id ?? "" })).toBeUndefined();
    expect((await read.unrecognized()).callbacks.map((callback) => callback.command)).toEqual(["roster.rename"]);
    expect(() => setup({ keepRecognizedCallbacks: "no" as never })).toThrow(/keepRecognizedCallbacks/);
  });

  it("keeps the body the adapter gives for an unrecognized callback, and derives the record id from it", async () => {
    const fixture = createFixtureAdapter();
    // Stands for an adapter that removes signature material (here: `actor`) from the body it keeps.
    const adapter: ProviderAdapterV1 = {
      ...fixture,
      async receive(request) {
        const received = await fixture.receive(request);
        if (!received.unrecognized) return received;
        const { actor: _removed, ...kept } = JSON.parse(Buffer.from(request.body).toString("utf8")) as Record<string, unknown>;
        return { ...received, body: JSON.stringify(kept) };
      },
    };
    const { receiver, read } = setup({ adapters: { fixture: adapter } });
    const requests = [
      signedCallback({ type: "roster.rename", actor: "material-1", id: "rename-1", at: 5 }),
      signedCallback({ type: "roster.rename", actor: "material-2", id: "rename-1", at: 5 }),
      signedCallback({ type: "roster.rename", actor: "material-3", id: "rename-2", at: 5 }),
    ];
    for (const request of requests) expect((await receiver.handle("fixture", request)).status).toBe(200);

    const { callbacks } = await read.unrecognized();
    // The first two differ only in what was removed: one record.
    expect(callbacks.map((callback) => JSON.parse(callback.body))).toEqual([
      { app: "demo#app", type: "roster.rename", target: "bob", id: "rename-1", at: 5, mutual: true },
      { app: "demo#app", type: "roster.rename", target: "bob", id: "rename-2", at: 5, mutual: true },
    ]);
    expect(JSON.stringify(callbacks)).not.toContain("material-");
  });

  it("refuses other methods with 405 and Allow: POST, through the adapter", async () => {
    const { receiver, read, handled } = setup();
    const answer = await receiver.handle("fixture", signedCallback({}, { method: "GET" }));
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("POST");
    expect(errorOf(answer.body)).toBe("method_not_allowed");
    expect(handled[0]).toMatchObject({ outcome: "refused", status: 405, errorCode: "method_not_allowed" });
  });

  it("refuses content types that cannot carry JSON with 415", async () => {
    const { receiver, read } = setup();
    for (const contentType of ["text/html", "application/xml", "application/json; charset=latin1"]) {
      const request = signedCallback();
      const answer = await receiver.handle("fixture", { ...request, headers: { ...request.headers, "content-type": contentType } });
      expect(answer.status).toBe(415);
      expect(errorOf(answer.body)).toBe("unsupported_media_type");
    }
    for (const contentType of ["application/json", "application/cloudevents+json", "text/plain; charset=utf-8", undefined]) {
      const request = signedCallback();
      const answer = await receiver.handle("fixture", { ...request, headers: { ...request.headers, "content-type": contentType } });
      expect(answer.status).toBe(200);
    }
    expect((await read.events()).events).toHaveLength(4);
  });

  it("passes on the adapter's refusal and stores nothing", async () => {
    const { receiver, read, handled } = setup();
    const request = signedCallback();
    const tampered = { ...request, headers: { ...request.headers, "x-signature": "0".repeat(64) } };
    const answer = await receiver.handle("fixture", tampered);
    expect(answer.status).toBe(401);
    expect(errorOf(answer.body)).toBe("invalid_signature");
    expect((await read.events()).events).toEqual([]);
    expect(handled[0]).toMatchObject({ outcome: "refused", errorCode: "invalid_signature" });
  });

  it("answers 400, not 500, when an adapter breaks its contract by throwing another error", async () => {
    const broken: ProviderAdapterV1 = { ...createFixtureAdapter(), receive: async () => { throw new TypeError("cannot read properties of undefined"); } };
    const { receiver, read } = setup({ adapters: { broken } });
    const answer = await receiver.handle("broken", signedCallback());
    expect(answer.status).toBe(400);
    expect(errorOf(answer.body)).toBe("invalid_payload");
  });

  it("answers 503 store_unavailable when the store fails", async () => {
    const memory = createMemoryStore();
    const { receiver, read, handled } = setup({ store: { ...memory, append: () => Promise.reject(new Error("disk full")) } });
    const answer = await receiver.handle("fixture", signedCallback());
    expect(answer.status).toBe(503);
    expect(errorOf(answer.body)).toBe("store_unavailable");
    expect(handled[0]).toMatchObject({ outcome: "failed", status: 503, errorCode: "store_unavailable", eventTypes: ["friend.added"] });
  });

  it("answers a route name it does not know with misconfigured, in a generic format", async () => {
    const { receiver, read } = setup();
    const answer = await receiver.handle("nobody", signedCallback());
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "misconfigured" } });
    expect(answer.body).toContain("fixture");
  });

  it("answers 503 once closing, after finishing the callbacks in flight", async () => {
    const { receiver, read, store } = setup();
    const inFlight = receiver.handle("fixture", signedCallback());
    const closing = receiver.close();
    expect((await receiver.handle("fixture", signedCallback())).status).toBe(503);
    expect((await inFlight).status).toBe(200);
    await closing;
    await expect(store.listEvents()).rejects.toMatchObject({ code: "store_unavailable", status: 503, message: "The memory store is closed." });
  });

  it("ignores an observer that throws", async () => {
    const { receiver, read } = setup({ observer: { callbackHandled: () => { throw new Error("metrics broke"); } } });
    expect((await receiver.handle("fixture", signedCallback())).status).toBe(200);
  });
});

/**
 * The fixture adapter, but signed the way Easemob signs: the signature covers a call id (the
 * `x-call-id` header) and not the body, so the adapter binds it to the user pair the body names.
 */
function bindingAdapter(): ProviderAdapterV1 {
  const fixture = createFixtureAdapter();
  return {
    ...fixture,
    async receive(request) {
      const received = await fixture.receive(request);
      const [event] = received.events;
      const key = request.headers["x-call-id"] ?? "";
      const fingerprint = event ? [event.actor, event.target].sort().join(",") : received.command;
      return { ...received, binding: { key, fingerprint, expiresAt: request.receivedAt.getTime() + 300_000 } };
    },
  };
}

function withCallId(request: ProviderRequest, callId: string): ProviderRequest {
  return { ...request, headers: { ...request.headers, "x-call-id": callId } };
}

/** A store that counts the appends it is asked for. */
function countingStore() {
  const store = createMemoryStore();
  const counted = { appends: 0 };
  return { counted, store: { ...store, append: (input: Parameters<FriendEventStore["append"]>[0]) => ((counted.appends += 1), store.append(input)) } };
}

describe("receiver.handle: what it refuses to keep", () => {
  it("refuses a signature reused with another body with 401 signature_reused, and stores nothing of it", async () => {
    const { receiver, read, store, handled } = setup({ adapters: { fixture: bindingAdapter() }, sinks: [createMemorySink()] });
    const real = withCallId(signedCallback({ actor: "alice", target: "bob", id: "real" }), "call-1");
    expect((await receiver.handle("fixture", real)).status).toBe(200);

    const forged = withCallId(signedCallback({ type: "friend.removed", actor: "alice", target: "mallory", id: "forged" }), "call-1");
    const answer = await receiver.handle("fixture", forged);
    expect(answer.status).toBe(401);
    expect(errorOf(answer.body)).toBe("signature_reused");
    expect(handled.at(-1)).toMatchObject({ outcome: "refused", status: 401, errorCode: "signature_reused" });

    const events = (await read.events()).events;
    expect(events.map((event) => event.source.command)).toEqual(["friend.added"]);
    const forgedBody = Buffer.from(forged.body).toString("utf8");
    expect(await read.callback({ callbackId: deriveCallbackId({ provider: "fixture", appId: "demo#app", command: "friend.removed", body: forgedBody }) })).toBeUndefined();
    expect(await store.countDeliveries()).toEqual([{ sink: "memory", pending: 1, deadLettered: 0 }]);
    expect(await read.friendsOf({ provider: "fixture", appId: "demo#app", userId: "mallory" })).toEqual({ friends: [], blocked: [] });

    // A retry, and another view of the same pair under the same signature, are accepted.
    expect((await receiver.handle("fixture", real)).status).toBe(200);
    const otherView = withCallId(signedCallback({ type: "friend.request.accepted", actor: "bob", target: "alice", id: "real" }), "call-1");
    expect((await receiver.handle("fixture", otherView)).status).toBe(200);
    expect((await read.events()).events).toHaveLength(2);
  });

  it("binds a signature even when nothing else of the callback is kept", async () => {
    const binding = bindingAdapter();
    // Stands for a recognized callback that makes no event (a "before" callback whose every pair was denied, say).
    const adapter: ProviderAdapterV1 = {
      ...binding,
      async receive(request) {
        const received = await binding.receive(request);
        return request.headers["x-no-events"] ? { ...received, events: [] } : received;
      },
    };
    const { receiver, read, store } = setup({ adapters: { fixture: adapter }, keepRecognizedCallbacks: false });
    const empty = withCallId(signedCallback({ actor: "alice", target: "bob" }), "call-2");
    expect((await receiver.handle("fixture", { ...empty, headers: { ...empty.headers, "x-no-events": "1" } })).status).toBe(200);
    expect((await store.listEvents()).events).toEqual([]);
    const reused = withCallId(signedCallback({ actor: "carol", target: "dave" }), "call-2");
    expect((await receiver.handle("fixture", reused)).status).toBe(401);
    expect((await store.listEvents()).events).toEqual([]);
  });

  it("refuses user ids the model does not allow with 400 before the store, and takes every other id", async () => {
    const { store, counted } = countingStore();
    const { receiver, read, handled } = setup({ store });
    const poison = ["ali\u0000ce", "x".repeat(maximumUserIdLength + 1), "bell\u0007", "next\u0085line", "escape\u001b[31m", "delete\u007f", ""];
    for (const [index, userId] of poison.entries()) {
      for (const side of ["actor", "target"] as const) {
        const answer = await receiver.handle("fixture", signedCallback({ [side]: userId, id: `poison-${index}-${side}` }));
        expect(answer.status, JSON.stringify(userId.slice(0, 20))).toBe(400);
        expect(errorOf(answer.body)).toBe("invalid_payload");
      }
    }
    expect(counted.appends).toBe(0);
    expect(handled.every((info) => info.outcome === "refused" && info.status === 400)).toBe(true);
    for (const userId of ["x".repeat(maximumUserIdLength), "用户-1", "user.name_with-dots", "emoji😀", "org#app_alice@easemob.com"]) {
      expect((await receiver.handle("fixture", signedCallback({ actor: userId, target: "bob" }))).status).toBe(200);
    }
    expect((await read.events()).events).toHaveLength(5);
  });

  it("refuses text no store can keep with 400, never 503, and stores nothing", async () => {
    const fixture = createFixtureAdapter();
    // Stands for a provider whose friend request carries a message with a NUL, or half an emoji.
    const withMessage = (message: string): ProviderAdapterV1 => ({
      ...fixture,
      async receive(request) {
        const received = await fixture.receive(request);
        return { ...received, events: received.events.map((event) => ({ ...event, details: { ...event.details, message } }) as typeof event) };
      },
    });
    for (const message of ["hello\u0000", "half \ud83d"]) {
      const { receiver, read, store } = setup({ adapters: { fixture: withMessage(message) }, sinks: [createMemorySink()] });
      const answer = await receiver.handle("fixture", signedCallback());
      expect(answer.status).toBe(400);
      expect(errorOf(answer.body)).toBe("invalid_payload");
      expect((await read.events()).events).toEqual([]);
      expect(await store.countDeliveries()).toEqual([]);
    }
  });

  it("passes on a store's 4xx refusal as the answer, and answers 503 only for the store's own failures", async () => {
    const memory = createMemoryStore();
    const { receiver, read, handled } = setup({
      store: { ...memory, append: () => Promise.reject(new FriendhookError("invalid_payload", "The store cannot keep this.")) },
    });
    const answer = await receiver.handle("fixture", signedCallback());
    expect(answer.status).toBe(400);
    expect(errorOf(answer.body)).toBe("invalid_payload");
    expect(handled[0]).toMatchObject({ outcome: "refused", status: 400, errorCode: "invalid_payload" });
  });
});
