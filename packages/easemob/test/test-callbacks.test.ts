import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";

const secret = "builder-secret";
const bodyOf = (request: { body: Uint8Array }) => JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;

describe("buildEasemobCallback", () => {
  it("builds a POST with a JSON body shaped like Easemob's, signed with the secret", () => {
    const receivedAt = new Date("2024-01-01T00:00:05Z");
    const request = buildEasemobCallback({
      secret,
      operation: "add",
      from: "org#app_alice@easemob.com",
      to: "bob",
      appKey: "org#app",
      messageId: "966725899779049516",
      timestamp: 1_704_067_200_000,
      host: "msync@ebs",
      reason: "hello",
      receivedAt,
    });
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.receivedAt).toBe(receivedAt);
    const body = bodyOf(request);
    expect(body).toEqual({
      chat_type: "roster",
      callId: "org#app_966725899779049516",
      security: signEasemobCallback({ callId: "org#app_966725899779049516", timestamp: 1_704_067_200_000 }, secret),
      payload: { operation: "add", reason: "hello" },
      host: "msync@ebs",
      appkey: "org#app",
      from: "org#app_alice@easemob.com",
      to: "bob",
      eventType: "chat",
      msg_id: "966725899779049516",
      timestamp: 1_704_067_200_000,
    });
  });

  it("gives ban and allow a status, ok unless told otherwise", () => {
    expect(bodyOf(buildEasemobCallback({ secret, operation: "ban", from: "a", to: "b" })).payload).toEqual({
      operation: "ban",
      status: { error_code: "ok" },
    });
    expect(bodyOf(buildEasemobCallback({ secret, operation: "allow", from: "a", to: "b", errorCode: "failed" })).payload).toEqual({
      operation: "allow",
      status: { error_code: "failed" },
    });
  });

  it("picks a fresh 18-digit msg_id and the current time unless given", () => {
    const before = Date.now();
    const first = bodyOf(buildEasemobCallback({ secret, operation: "remove", from: "a", to: "b" }));
    const second = bodyOf(buildEasemobCallback({ secret, operation: "remove", from: "a", to: "b" }));
    expect(first.msg_id).toMatch(/^\d{18}$/);
    expect(first.msg_id).not.toBe(second.msg_id);
    expect(first.callId).toBe(`demo#app_${String(first.msg_id)}`);
    expect(Number(first.timestamp)).toBeGreaterThanOrEqual(before);
  });

  it("builds callbacks the adapter accepts, for every operation", async () => {
    const adapter = createEasemobAdapter({ secret, appKeys: ["demo#app"], maximumAgeSeconds: 60 });
    for (const operation of ["add", "remove", "accept", "remote_accept", "decline", "remote_decline", "ban", "allow"]) {
      const received = await adapter.receive(buildEasemobCallback({ secret, operation, from: "alice", to: "bob" }));
      expect(received.events.length).toBeGreaterThan(0);
    }
  });
});
