import { createProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";
import { signedSeed, testSecret } from "./seed-callbacks";

const secret = "authentication-secret";

describe("app keys", () => {
  const adapter = createEasemobAdapter({ secret, appKeys: ["acme#chat", "acme#staging"] });
  const callbackFor = (appKey: string) => buildEasemobCallback({ secret, appKey, operation: "ban", from: "a", to: "b" });

  it("accepts a callback for a configured app key, in any case", async () => {
    await expect(adapter.receive(callbackFor("acme#chat"))).resolves.toMatchObject({ appId: "acme#chat" });
    await expect(adapter.receive(callbackFor("acme#staging"))).resolves.toMatchObject({ appId: "acme#staging" });
    await expect(adapter.receive(callbackFor("ACME#Chat"))).resolves.toMatchObject({ appId: "acme#chat" });
  });

  it("gives events the configured spelling, so that another case cannot store the same change twice", async () => {
    const spelled = createEasemobAdapter({ secret, appKeys: ["Acme#Chat"] });
    const sent = (appKey: string) =>
      buildEasemobCallback({ secret, appKey, operation: "remote_accept", from: `${appKey}_bob@easemob.com`, to: "alice", messageId: "42" });
    const lower = await spelled.receive(sent("acme#chat"));
    const upper = await spelled.receive(sent("ACME#CHAT"));
    expect(lower.appId).toBe("Acme#Chat");
    expect(upper.appId).toBe("Acme#Chat");
    expect(upper.events.map((event) => event.appId)).toEqual(["Acme#Chat", "Acme#Chat"]);
    expect(upper.events.map((event) => event.id)).toEqual(lower.events.map((event) => event.id));
  });

  it("refuses a correctly signed callback for another app with app_mismatch (403)", async () => {
    await expect(adapter.receive(callbackFor("acme#other"))).rejects.toMatchObject({
      code: "app_mismatch",
      status: 403,
      message: expect.stringContaining('"acme#other"'),
    });
  });

  it("accepts every app key when none is configured", async () => {
    await expect(createEasemobAdapter({ secret }).receive(callbackFor("acme#other"))).resolves.toMatchObject({
      appId: "acme#other",
    });
  });
});

describe("maximum age (replay protection)", () => {
  const sentAt = Date.UTC(2024, 0, 1, 12, 0, 0);
  const callback = (receivedAfterMs: number) =>
    buildEasemobCallback({
      secret,
      operation: "remove",
      from: "a",
      to: "b",
      timestamp: sentAt,
      receivedAt: new Date(sentAt + receivedAfterMs),
    });

  it("is on by default, at five minutes: a callback captured and replayed later is refused", async () => {
    const adapter = createEasemobAdapter({ secret });
    await expect(adapter.receive(callback(299_000))).resolves.toMatchObject({ command: "roster:remove" });
    for (const offset of [301_000, -301_000, 86_400_000]) {
      await expect(adapter.receive(callback(offset))).rejects.toMatchObject({ code: "stale_request", status: 401 });
    }
  });

  it("refuses the documentation's examples received today, years after their timestamps", async () => {
    const adapter = createEasemobAdapter({ secret: testSecret });
    await expect(adapter.receive(signedSeed("remove", testSecret, new Date()))).rejects.toMatchObject({ code: "stale_request" });
  });

  it("can be widened, to resend old callbacks from Easemob's exception storage", async () => {
    const adapter = createEasemobAdapter({ secret, maximumAgeSeconds: 3 * 24 * 3600 });
    await expect(adapter.receive(callback(2 * 24 * 3600 * 1000))).resolves.toMatchObject({ command: "roster:remove" });
  });

  it("when set, accepts a callback within the window, on either side of the receipt", async () => {
    const adapter = createEasemobAdapter({ secret, maximumAgeSeconds: 300 });
    await expect(adapter.receive(callback(299_000))).resolves.toMatchObject({ command: "roster:remove" });
    await expect(adapter.receive(callback(-299_000))).resolves.toMatchObject({ command: "roster:remove" });
  });

  it("when set, refuses an older callback, or one from too far ahead, with stale_request", async () => {
    const adapter = createEasemobAdapter({ secret, maximumAgeSeconds: 300 });
    for (const offset of [301_000, -301_000, 86_400_000]) {
      await expect(adapter.receive(callback(offset))).rejects.toMatchObject({ code: "stale_request", status: 401 });
    }
  });

  it("declares as its deduplication window the longest time two accepted copies of one callback can lie apart", async () => {
    expect(createEasemobAdapter({ secret }).deduplicationWindowMs).toBe(600_000);
    const adapter = createEasemobAdapter({ secret, maximumAgeSeconds: 300 });
    expect(adapter.deduplicationWindowMs).toBe(600_000);
    // One copy received 299 s before its timestamp, another 299 s after: 598 s apart, both accepted.
    await expect(adapter.receive(callback(-299_000))).resolves.toMatchObject({ command: "roster:remove" });
    await expect(adapter.receive(callback(299_000))).resolves.toMatchObject({ command: "roster:remove" });
  });

  it("checks the signature first, so that an unsigned caller learns nothing about the window", async () => {
    const adapter = createEasemobAdapter({ secret, maximumAgeSeconds: 300 });
    const request = buildEasemobCallback({ secret: "guess", operation: "remove", from: "a", to: "b", timestamp: sentAt });
    await expect(adapter.receive(request)).rejects.toMatchObject({ code: "invalid_signature" });
  });
});

describe("authentication comes before anything is read as an event", () => {
  const adapter = createEasemobAdapter({ secret, appKeys: ["acme#chat"] });

  it("refuses a wrongly signed callback of an unknown operation instead of acknowledging it", async () => {
    const request = buildEasemobCallback({ secret: "guess", appKey: "acme#chat", operation: "poke", from: "a", to: "b" });
    await expect(adapter.receive(request)).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("refuses a wrongly signed callback of another family instead of acknowledging it", async () => {
    const body = { chat_type: "chat", callId: "acme#chat_1", timestamp: 1, appkey: "acme#chat", security: "0".repeat(32) };
    await expect(adapter.receive(createProviderRequest({ body: JSON.stringify(body) }))).rejects.toMatchObject({
      code: "invalid_signature",
    });
  });

  it("refuses a wrongly signed callback with unreadable users for its signature, not its users", async () => {
    const request = buildEasemobCallback({ secret: "guess", appKey: "acme#chat", operation: "add", from: "x@y@z", to: "b" });
    await expect(adapter.receive(request)).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("refuses a signed callback of another app before looking at its family", async () => {
    const body = { chat_type: "chat", callId: "other#app_1", timestamp: Date.now(), appkey: "other#app" };
    const signed = { ...body, security: signEasemobCallback(body, secret) };
    await expect(adapter.receive(createProviderRequest({ body: JSON.stringify(signed) }))).rejects.toMatchObject({
      code: "app_mismatch",
    });
  });
});
