import { createHash } from "node:crypto";
import { deriveEventId, FriendEventSchema } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildTencentCallback } from "../src/index";
import { acknowledgementBody, adapterWith, fixedRequestTime, fixture, receivedAt, sdkAppId, token } from "./support";

const okAcknowledgement = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

function signed(command: string, body: string, extra: { clientIp?: string; optPlatform?: string } = {}) {
  return buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime, receivedAt, ...extra });
}

describe("seed 003: Sns.CallbackFriendAdd example", () => {
  const body = fixture("seed-003-friend-add.json");
  const command = "Sns.CallbackFriendAdd";
  const bodyDigest = createHash("sha256").update(body, "utf8").digest("hex");

  it("yields one one-way friend.added per pair, with initiator, trigger and forced flag", async () => {
    const received = await adapterWith().receive(signed(command, body, { clientIp: "127.0.0.1", optPlatform: "Android" }));
    expect(received).toMatchObject({ provider: "tencent", appId: sdkAppId, command });
    expect(received.unrecognized).toBeUndefined();
    expect(received.events).toEqual(
      ["id1", "id2", "id3"].map((target) => ({
        // No RequestId and no time in this example: the raw body identifies the change.
        id: deriveEventId({ provider: "tencent", appId: sdkAppId, type: "friend.added", parts: ["body", command, "id", target, bodyDigest] }),
        type: "friend.added",
        provider: "tencent",
        appId: sdkAppId,
        actor: "id",
        target,
        mutual: false,
        occurredAt: receivedAt.toISOString(),
        occurredAtSource: "received",
        receivedAt: receivedAt.toISOString(),
        source: { command, clientIp: "127.0.0.1", platform: "Android" },
        // Admin_Account is "" in the example, so no adminAccount.
        details: { initiator: "id", trigger: "request", forced: true },
      })),
    );
    for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
    expect(received.acknowledgement.status).toBe(200);
    expect(acknowledgementBody(received.acknowledgement)).toEqual(okAcknowledgement);
  });

  it("reads both spellings of ClientCmd, the admin account and a normal add", async () => {
    const variants = [
      { ClientCmd: "FriendAdd", trigger: "request" },
      { ClientCmd: "friend_response", trigger: "response" },
      { ClientCmd: "FriendResponse", trigger: "response" },
    ] as const;
    for (const variant of variants) {
      const changed = body
        .replace('"ClientCmd":"friend_add"', `"ClientCmd":"${variant.ClientCmd}"`)
        .replace('"Admin_Account":""', '"Admin_Account":"administrator"')
        .replace('"ForceFlag":1', '"ForceFlag":0');
      const received = await adapterWith().receive(signed(command, changed));
      expect(received.events.map((event) => event.details)).toEqual([
        { initiator: "id", trigger: variant.trigger, adminAccount: "administrator", forced: false },
        { initiator: "id", trigger: variant.trigger, adminAccount: "administrator", forced: false },
        { initiator: "id", trigger: variant.trigger, adminAccount: "administrator", forced: false },
      ]);
    }
  });

  it("leaves the trigger out for a ClientCmd it does not know", async () => {
    const changed = body.replace('"ClientCmd":"friend_add"', '"ClientCmd":"friend_import"');
    const received = await adapterWith().receive(signed(command, changed));
    expect(received.events[0]?.details).toEqual({ initiator: "id", forced: true });
  });
});

describe("seed 004: Sns.CallbackFriendDelete example", () => {
  const body = fixture("seed-004-friend-delete.json");
  const command = "Sns.CallbackFriendDelete";

  it("yields one friend.removed per pair, occurring at TimeStamp", async () => {
    const received = await adapterWith().receive(signed(command, body));
    expect(received.events).toEqual(
      ["id1", "id2", "id3"].map((target) => ({
        id: deriveEventId({ provider: "tencent", appId: sdkAppId, type: "friend.removed", parts: ["time", command, "id", target, 1432000000] }),
        type: "friend.removed",
        provider: "tencent",
        appId: sdkAppId,
        actor: "id",
        target,
        mutual: false,
        occurredAt: "2015-05-19T01:46:40.000Z",
        occurredAtSource: "provider-seconds",
        receivedAt: receivedAt.toISOString(),
        source: { command },
        details: {},
      })),
    );
    expect(acknowledgementBody(received.acknowledgement)).toEqual(okAcknowledgement);
  });
});

describe("real traffic: Sns.CallbackFriendDelete with ClientIP, OptPlatform and RequestId in the body", () => {
  const body = fixture("real-traffic-friend-delete.json");
  const command = "Sns.CallbackFriendDelete";

  it("yields both directions of a two-way delete, identified by the RequestId", async () => {
    const received = await adapterWith().receive(signed(command, body));
    const source = { command, requestId: "2ea4e023-…", clientIp: "36.112.173.178", platform: "iOS" };
    expect(received.events).toEqual([
      {
        id: deriveEventId({ provider: "tencent", appId: sdkAppId, type: "friend.removed", parts: ["request", "2ea4e023-…", command, "211172", "425214"] }),
        type: "friend.removed",
        provider: "tencent",
        appId: sdkAppId,
        actor: "211172",
        target: "425214",
        mutual: false,
        occurredAt: receivedAt.toISOString(),
        occurredAtSource: "received",
        receivedAt: receivedAt.toISOString(),
        source,
        details: {},
      },
      {
        id: deriveEventId({ provider: "tencent", appId: sdkAppId, type: "friend.removed", parts: ["request", "2ea4e023-…", command, "425214", "211172"] }),
        type: "friend.removed",
        provider: "tencent",
        appId: sdkAppId,
        actor: "425214",
        target: "211172",
        mutual: false,
        occurredAt: receivedAt.toISOString(),
        occurredAtSource: "received",
        receivedAt: receivedAt.toISOString(),
        source,
        details: {},
      },
    ]);
  });

  it("prefers the body's ClientIP, OptPlatform and RequestId over the URL's", async () => {
    const request = signed(command, body, { clientIp: "10.0.0.1", optPlatform: "Web" });
    request.query.set("RequestId", "from-the-url");
    const received = await adapterWith().receive(request);
    expect(received.events[0]?.source).toEqual({ command, requestId: "2ea4e023-…", clientIp: "36.112.173.178", platform: "iOS" });
  });

  it("takes the RequestId from the URL when the body has none", async () => {
    const withoutRequestId = JSON.stringify({ ...JSON.parse(body), RequestId: undefined });
    const request = signed(command, withoutRequestId);
    request.query.set("RequestId", "url-request-1");
    const received = await adapterWith().receive(request);
    expect(received.events[0]?.source.requestId).toBe("url-request-1");
    expect(received.events[0]?.id).toBe(
      deriveEventId({ provider: "tencent", appId: sdkAppId, type: "friend.removed", parts: ["request", "url-request-1", command, "211172", "425214"] }),
    );
  });
});

describe("Sns.CallbackBlackListAdd and Sns.CallbackBlackListDelete", () => {
  it("yield friend.blocked and friend.unblocked per pair", async () => {
    for (const [command, type] of [
      ["Sns.CallbackBlackListAdd", "friend.blocked"],
      ["Sns.CallbackBlackListDelete", "friend.unblocked"],
    ] as const) {
      const body = JSON.stringify({
        CallbackCommand: command,
        PairList: [
          { From_Account: "alice", To_Account: "mallory" },
          { From_Account: "alice", To_Account: "trent" },
        ],
        ClientIP: "203.0.113.9",
        OptPlatform: "Android",
        RequestId: `${command}-1`,
      });
      const received = await adapterWith().receive(signed(command, body));
      expect(received.events.map(({ type: eventType, actor, target, mutual, details }) => ({ type: eventType, actor, target, mutual, details }))).toEqual([
        { type, actor: "alice", target: "mallory", mutual: false, details: {} },
        { type, actor: "alice", target: "trent", mutual: false, details: {} },
      ]);
      expect(received.events[0]?.source).toEqual({ command, requestId: `${command}-1`, clientIp: "203.0.113.9", platform: "Android" });
      expect(acknowledgementBody(received.acknowledgement)).toEqual(okAcknowledgement);
    }
  });
});

describe("the body to keep", () => {
  it("is the raw body, kept once per callback by the receiver, never copied into events", async () => {
    const body = fixture("seed-004-friend-delete.json");
    const received = await adapterWith().receive(signed("Sns.CallbackFriendDelete", body));
    expect(received.body).toBeUndefined();
    expect(received.events[0]).not.toHaveProperty("raw");
  });
});

