import { describe, expect, it } from "vitest";
import { checkStorableText, deriveCallbackId, type FriendEvent, isStorableText } from "../src/index";

const event = {
  id: "evt_0123456789abcdef0123456789abcdef",
  type: "friend.request.sent",
  provider: "easemob",
  appId: "demo#app",
  actor: "alice",
  target: "bob",
  mutual: false,
  occurredAt: "2022-01-20T03:16:53.494Z",
  occurredAtSource: "provider-milliseconds",
  receivedAt: "2022-01-20T03:16:53.600Z",
  source: { command: "roster:add" },
  details: { message: "hello" },
} as FriendEvent;

describe("text every store can keep", () => {
  it("is any well-formed text without a NUL", () => {
    for (const text of ["", "plain", "controls \u0001\u001f\u007f", "pair 😀", "\ud83d\ude00", "literal \\u0000", "\uffff\ufeff", "中文"]) {
      expect(isStorableText(text), JSON.stringify(text)).toBe(true);
    }
    for (const text of ["\u0000", "a\u0000b", "high \ud83d", "\ud83d at the start", "low \ude00", "\ude00\ud83d", "pair then lone 😀\ud83d"]) {
      expect(isStorableText(text), JSON.stringify(text)).toBe(false);
    }
  });

  it("is checked everywhere in an append, naming where, never the text", () => {
    expect(checkStorableText({ events: [event], sinks: [] })).toBeUndefined();
    const nested = { ...event, details: { message: "hi", extra: { list: ["ok", "bad\u0000"] } } } as unknown as FriendEvent;
    expect(checkStorableText({ events: [event, nested], sinks: [] })).toMatchObject({
      code: "invalid_payload",
      status: 400,
      message: expect.stringMatching(/^events\.1\.details\.extra\.list\.1 holds text no store can keep/),
    });
    const key = { ...event, details: { ["na\u0000me"]: "value" } } as unknown as FriendEvent;
    expect(checkStorableText({ events: [key], sinks: [] })?.message).toMatch(/^events\.0\.details \(a key\)/);
    const body = "{\"a\":\"\u0000\"}";
    const callback = { id: deriveCallbackId({ provider: "p", appId: "a", command: "c", body }), provider: "p", appId: "a", command: "c", receivedAt: event.receivedAt, body };
    expect(checkStorableText({ events: [], callback, sinks: [] })?.message).toMatch(/^callback\.body holds/);
    expect(checkStorableText({ events: [], binding: { key: "k\ud800", fingerprint: "f", expiresAt: 0 }, sinks: [] })?.message).toMatch(/^binding\.key holds/);
  });
});

describe("deriveCallbackId", () => {
  it("is deterministic over provider, app, command and body, and tells each apart", () => {
    const identity = { provider: "easemob", appId: "demo#app", command: "roster:accept", body: "{}" };
    expect(deriveCallbackId(identity)).toMatch(/^cb_[0-9a-f]{32}$/);
    expect(deriveCallbackId({ ...identity })).toBe(deriveCallbackId(identity));
    const others = [{ ...identity, body: "{ }" }, { ...identity, command: "roster:remote_accept" }, { ...identity, appId: "demo#other" }, { ...identity, provider: "agora" }];
    expect(new Set([identity, ...others].map(deriveCallbackId)).size).toBe(5);
    // JSON-encoded parts: no separator can make two identities collide.
    expect(deriveCallbackId({ ...identity, provider: "a", appId: "b,c" })).not.toBe(deriveCallbackId({ ...identity, provider: "a,b", appId: "c" }));
  });
});
