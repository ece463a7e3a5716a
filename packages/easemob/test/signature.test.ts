import { createProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";
import { seedBody, seedReceivedAt, signedSeed, testSecret } from "./seed-callbacks";
import { refusalOf } from "@friendhook/testkit";

const encode = (value: unknown) => JSON.stringify(value);

describe("signEasemobCallback", () => {
  it("is md5_hex(callId + secret + timestamp) in lower-case hex over UTF-8", () => {
    // Vectors computed with coreutils: printf '%s' 'XXXX#XXXX_966725899779049516test-callback-secret1642648213494' | md5sum
    expect(signEasemobCallback({ callId: "XXXX#XXXX_966725899779049516", timestamp: 1642648213494 }, testSecret)).toBe(
      "d01f074c8da033ef98b3ebb2cbd8aa6f",
    );
    expect(signEasemobCallback({ callId: "demo#app_1", timestamp: 1700000000000 }, "密钥")).toBe("a1e7af7c917b6e1d80d3cf88e40f4ca8");
  });
});

describe("signature verification", () => {
  const adapter = createEasemobAdapter({ secret: testSecret });
  const accept = seedBody("accept");

  const withBody = (body: Record<string, unknown>) => createProviderRequest({ body: encode(body), receivedAt: seedReceivedAt("accept") });

  it("accepts a correctly signed callback, in either case of hex", async () => {
    await expect(adapter.receive(signedSeed("accept"))).resolves.toMatchObject({ command: "roster:accept" });
    const security = signEasemobCallback(accept as { callId: string; timestamp: number }, testSecret).toUpperCase();
    await expect(adapter.receive(withBody({ ...accept, security }))).resolves.toMatchObject({ command: "roster:accept" });
  });

  it("refuses a callback signed with another secret", async () => {
    const error = await refusalOf(adapter.receive(signedSeed("accept", "another-secret")));
    expect(error).toMatchObject({ code: "invalid_signature", status: 401 });
  });

  it("refuses a callback whose signed fields were changed after signing", async () => {
    const security = signEasemobCallback(accept as { callId: string; timestamp: number }, testSecret);
    for (const tampered of [
      { ...accept, security, callId: `${String(accept.callId)}1` },
      { ...accept, security, timestamp: Number(accept.timestamp) + 1 },
    ]) {
      expect(await refusalOf(adapter.receive(withBody(tampered)))).toMatchObject({ code: "invalid_signature", status: 401 });
    }
  });

  it("refuses a callback without security with missing_signature", async () => {
    const { security: _, ...unsigned } = accept;
    for (const body of [unsigned, { ...accept, security: "" }, { ...accept, security: null }, { ...accept, security: 7 }]) {
      expect(await refusalOf(adapter.receive(withBody(body)))).toMatchObject({ code: "missing_signature", status: 401 });
    }
  });

  it("refuses a missing or ill-typed callId or timestamp with invalid_payload", async () => {
    const { callId: _callId, ...withoutCallId } = accept;
    const { timestamp: _timestamp, ...withoutTimestamp } = accept;
    for (const body of [
      withoutCallId,
      withoutTimestamp,
      { ...accept, callId: 966725899779049516 },
      { ...accept, callId: "" },
      { ...accept, timestamp: "1642648213494" },
      { ...accept, timestamp: 1642648213494.5 },
      { ...accept, timestamp: -1 },
      { ...accept, timestamp: 1e300 },
    ]) {
      const error = await refusalOf(adapter.receive(withBody(body)));
      expect(error).toMatchObject({ code: "invalid_payload", status: 400 });
      expect(error.message).toMatch(/callId|timestamp/);
    }
  });

  it("never names the secret or a signature in its messages", async () => {
    const security = signEasemobCallback(accept as { callId: string; timestamp: number }, "another-secret");
    const error = await refusalOf(adapter.receive(withBody({ ...accept, security })));
    expect(error.message).not.toContain(testSecret);
    expect(error.message).not.toContain(security);
    expect(adapter.refuse(error).body).not.toContain(security);
  });
});

describe("several secrets", () => {
  const secrets = ["rule-one-secret", "rule-two-secret", "rotated-in-secret"];
  const adapter = createEasemobAdapter({ secrets });

  it("accepts a callback signed with any of them", async () => {
    for (const secret of secrets) {
      const request = buildEasemobCallback({ secret, operation: "add", from: "alice", to: "bob" });
      await expect(adapter.receive(request)).resolves.toMatchObject({ command: "roster:add" });
    }
  });

  it("refuses one signed with none of them", async () => {
    const request = buildEasemobCallback({ secret: "retired-secret", operation: "add", from: "alice", to: "bob" });
    expect(await refusalOf(adapter.receive(request))).toMatchObject({ code: "invalid_signature" });
  });
});
