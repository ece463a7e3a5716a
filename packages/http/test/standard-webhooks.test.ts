import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { signStandardWebhook, verifyStandardWebhook } from "../src/index";

// The signing test vector of the Standard Webhooks reference libraries.
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const signedAt = new Date(vector.timestamp * 1000);
const headers = {
  "webhook-id": vector.id,
  "webhook-timestamp": String(vector.timestamp),
  "webhook-signature": vector.signature,
};

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof FriendhookError ? error.code : `not a FriendhookError: ${String(error)}`;
  }
  return undefined;
}

describe("signStandardWebhook", () => {
  it("matches the Standard Webhooks test vector", () => {
    expect(signStandardWebhook({ id: vector.id, timestamp: vector.timestamp, body: vector.body }, vector.secret)).toBe(vector.signature);
  });

  it("signs the same bytes given as a string or as bytes, and a secret with or without whsec_", () => {
    const bytes = new TextEncoder().encode(vector.body);
    expect(signStandardWebhook({ id: vector.id, timestamp: vector.timestamp, body: bytes }, vector.secret.slice(6))).toBe(vector.signature);
  });

  it("lists one signature per secret, separated by spaces", () => {
    const other = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const header = signStandardWebhook({ id: vector.id, timestamp: vector.timestamp, body: vector.body }, [other, vector.secret]);
    const [first, second] = header.split(" ");
    expect(first).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(first).not.toBe(vector.signature);
    expect(second).toBe(vector.signature);
  });
});

describe("verifyStandardWebhook", () => {
  it("accepts the test vector and returns the id, time and parsed payload", () => {
    expect(verifyStandardWebhook({ body: vector.body, headers, secret: vector.secret, now: signedAt })).toEqual({
      id: vector.id,
      timestamp: signedAt,
      payload: { test: 2432232314 },
    });
  });

  it("reads a Fetch Headers object and header lists of Node", () => {
    expect(verifyStandardWebhook({ body: vector.body, headers: new Headers(headers), secret: vector.secret, now: signedAt }).id).toBe(vector.id);
    const nodeHeaders = { ...headers, "webhook-signature": [vector.signature] };
    expect(verifyStandardWebhook({ body: vector.body, headers: nodeHeaders, secret: vector.secret, now: signedAt }).id).toBe(vector.id);
  });

  it("accepts any matching signature among several, and any of several secrets", () => {
    const rotated = { ...headers, "webhook-signature": `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${vector.signature}` };
    const newSecret = `whsec_${Buffer.alloc(24, 1).toString("base64")}`;
    expect(verifyStandardWebhook({ body: vector.body, headers: rotated, secret: [newSecret, vector.secret], now: signedAt }).id).toBe(vector.id);
  });

  it("refuses a changed body, a wrong secret and a signature of another version", () => {
    const verify = (overrides: Partial<Parameters<typeof verifyStandardWebhook>[0]>) => () =>
      verifyStandardWebhook({ body: vector.body, headers, secret: vector.secret, now: signedAt, ...overrides });
    expect(codeOf(verify({ body: '{"test": 2432232315}' }))).toBe("invalid_signature");
    expect(codeOf(verify({ secret: `whsec_${Buffer.alloc(24, 9).toString("base64")}` }))).toBe("invalid_signature");
    expect(codeOf(verify({ headers: { ...headers, "webhook-signature": vector.signature.replace("v1,", "v2,") } }))).toBe(
      "invalid_signature",
    );
    expect(codeOf(verify({ headers: { ...headers, "webhook-signature": "v1," } }))).toBe("invalid_signature");
    expect(codeOf(verify({ headers: { ...headers, "webhook-timestamp": "hello" } }))).toBe("invalid_signature");
  });

  it("refuses a request without its headers", () => {
    for (const name of Object.keys(headers)) {
      const without = Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
      expect(codeOf(() => verifyStandardWebhook({ body: vector.body, headers: without, secret: vector.secret, now: signedAt }))).toBe(
        "missing_signature",
      );
    }
  });

  it("refuses a timestamp outside the tolerance, in the past or the future", () => {
    const verifyAt = (offsetSeconds: number) => () =>
      verifyStandardWebhook({ body: vector.body, headers, secret: vector.secret, now: new Date((vector.timestamp + offsetSeconds) * 1000) });
    expect(codeOf(verifyAt(300))).toBeUndefined();
    expect(codeOf(verifyAt(301))).toBe("stale_request");
    expect(codeOf(verifyAt(-301))).toBe("stale_request");
  });

  it("says what is wrong when given a parsed body", () => {
    expect(() =>
      verifyStandardWebhook({ body: JSON.parse(vector.body) as never, headers, secret: vector.secret, now: signedAt }),
    ).toThrow(/raw body/);
  });

  it("never repeats a secret or signature in its messages", () => {
    try {
      verifyStandardWebhook({ body: "{}", headers, secret: vector.secret, now: signedAt });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
      expect(message).not.toContain("g0hM9SsE");
    }
    expect.assertions(2);
  });
});
