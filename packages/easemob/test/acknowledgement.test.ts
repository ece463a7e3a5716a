import { createProviderRequest, FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";

const secret = "acknowledgement-secret";
const adapter = createEasemobAdapter({ secret });

const signedAt = 1_700_000_000_000;
const receivedAt = new Date(signedAt + 2000);

function signedBody(body: Record<string, unknown>) {
  const fields = { callId: "acme#chat_5", timestamp: signedAt, ...body } as { callId: string; timestamp: number };
  return createProviderRequest({ body: JSON.stringify({ ...fields, security: signEasemobCallback(fields, secret) }), receivedAt });
}

const roster = { chat_type: "roster", appkey: "acme#chat", from: "alice", to: "bob", msg_id: "5", eventType: "chat" };

describe("acknowledgement", () => {
  it("is HTTP 200 with a short body", async () => {
    const { acknowledgement } = await adapter.receive(buildEasemobCallback({ secret, operation: "add", from: "a", to: "b" }));
    expect(acknowledgement.status).toBe(200);
    expect(acknowledgement.body.length).toBeLessThan(100);
    expect(JSON.parse(acknowledgement.body)).toEqual({ status: "ok" });
  });
});

describe("refuse", () => {
  it("answers with the error's status and a short JSON body naming the code", () => {
    const response = adapter.refuse(new FriendhookError("invalid_signature", "The callback's security does not match."));
    expect(response.status).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: "invalid_signature", message: "The callback's security does not match." },
    });
  });

  it("keeps the body under Easemob's 1,000 characters whatever the message holds", () => {
    for (const message of ["x".repeat(5000), "\u0000".repeat(5000), '"\\'.repeat(3000), "\ud800".repeat(3000), "好".repeat(3000)]) {
      const response = adapter.refuse(new FriendhookError("store_unavailable", message));
      expect(response.status).toBe(503);
      expect(response.body.length).toBeLessThan(1000);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: "store_unavailable" } });
    }
  });
});

describe("unrecognized callbacks", () => {
  it("acknowledges an unknown roster operation, reported as unrecognized, without events", async () => {
    const received = await adapter.receive(signedBody({ ...roster, payload: { operation: "remark" } }));
    expect(received).toMatchObject({
      provider: "easemob",
      appId: "acme#chat",
      command: "roster:remark",
      events: [],
      unrecognized: { command: "roster:remark", reason: expect.stringContaining("does not know") },
      acknowledgement: { status: 200 },
    });
  });

  it("acknowledges a callback of another family, reported as unrecognized", async () => {
    const chat = { chat_type: "chat", appkey: "acme#chat", from: "alice", to: "bob", msg_id: "6", payload: { bodies: [] } };
    const received = await adapter.receive(signedBody(chat));
    expect(received).toMatchObject({
      command: "chat",
      events: [],
      unrecognized: { command: "chat", reason: expect.stringContaining("not a roster callback") },
      acknowledgement: { status: 200 },
    });
  });

  it("acknowledges a callback without chat_type, reported as unrecognized, never refused", async () => {
    // Group operation callbacks carry `event` instead; user status callbacks carry neither.
    const group = { callId: "acme#chat_5", appkey: "acme#chat", id: "262246968131585", type: "GROUP", event: "group_op_event", operation: "UPDATE" };
    await expect(adapter.receive(signedBody(group))).resolves.toMatchObject({
      command: "group_op_event",
      events: [],
      unrecognized: { command: "group_op_event" },
      acknowledgement: { status: 200 },
    });
    const { chat_type: _, ...withoutFamily } = roster;
    await expect(adapter.receive(signedBody({ ...withoutFamily, payload: { operation: "add" } }))).resolves.toMatchObject({
      command: "unknown",
      events: [],
      acknowledgement: { status: 200 },
    });
  });

  it("gives the body to keep without its security, every other field as sent", async () => {
    const request = signedBody({ ...roster, payload: { operation: "remark", remark: "好友 <Bob>" } });
    const { security, ...unsigned } = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
    expect(security).toMatch(/^[0-9a-f]{32}$/);
    const received = await adapter.receive(request);
    const kept = received.body;
    expect(kept).toBeDefined();
    expect(kept).not.toContain(security as string);
    expect(JSON.parse(kept!)).toEqual(unsigned);
  });

  it("keeps every other member as written: repeated or escaped keys, long numbers, whitespace", async () => {
    const fields = { callId: "acme#chat_7", timestamp: 1_700_000_000_000 };
    const security = signEasemobCallback(fields, secret);
    const text = [
      `{ "callId": "acme#chat_7", "timestamp": 1700000000000, "security": "${security}",`,
      ` "chat_type": "chat", "appkey": "acme#chat", "msg_id": 12345678901234567890123,`,
      ` "payload": {"security": "a field of the message, not the signature", "text": "say \\"hi\\", {[}]"},`,
      ` "\\u0073ecurity": "${security}" }\n`,
    ].join("\n");
    const received = await adapter.receive(createProviderRequest({ body: text, receivedAt }));
    expect(received.body).toBe(
      '{"callId": "acme#chat_7","timestamp": 1700000000000,"chat_type": "chat","appkey": "acme#chat","msg_id": 12345678901234567890123,' +
        '"payload": {"security": "a field of the message, not the signature", "text": "say \\"hi\\", {[}]"}}',
    );
    expect(received.body).not.toContain(security);
  });

  it("keeps a body nested deeper than JSON.stringify can walk, and throws nothing", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const chat = { chat_type: "chat", appkey: "acme#chat", from: "alice", to: "bob", msg_id: "8", payload: "DEEP" };
    const request = signedBody(chat);
    const sent = new TextDecoder().decode(request.body);
    const { security } = JSON.parse(sent) as { security: string };
    const received = await adapter.receive({ ...request, body: new TextEncoder().encode(sent.replace('"DEEP"', deep)) });
    expect(received.unrecognized?.command).toBe("chat");
    expect(received.body).toBe(sent.replace(`,"security":"${security}"`, "").replace('"DEEP"', deep));
  });
});

describe("signed bodies missing what Easemob always sends", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["no payload", { ...roster }, /payload/],
    ["no operation", { ...roster, payload: { reason: "" } }, /payload\.operation/],
    ["no from", { ...roster, from: undefined, payload: { operation: "add" } }, /from/],
    ["a numeric to", { ...roster, to: 7, payload: { operation: "add" } }, /to/],
    ["no msg_id", { ...roster, msg_id: undefined, payload: { operation: "add" } }, /msg_id/],
  ];
  for (const [name, body, field] of cases) {
    it(`refuses ${name} with invalid_payload naming the field`, async () => {
      await expect(adapter.receive(signedBody(body))).rejects.toMatchObject({
        code: "invalid_payload",
        status: 400,
        message: expect.stringMatching(field),
      });
    });
  }

  it("drops descriptive fields of the wrong type rather than refuse the change", async () => {
    const received = await adapter.receive(
      signedBody({ ...roster, host: 12, eventType: ["chat"], payload: { operation: "remove", roster_ver: 3 } }),
    );
    expect(received.events).toHaveLength(1);
    expect(received.events[0]?.source).toEqual({ command: "roster:remove", callbackId: "acme#chat_5", messageId: "5" });
    expect(received.events[0]?.details).toEqual({});
  });

  it("refuses a body that is not JSON with malformed_body", async () => {
    await expect(adapter.receive(createProviderRequest({ body: "chat_type=roster" }))).rejects.toMatchObject({
      code: "malformed_body",
      status: 400,
    });
  });
});
