import { createProviderRequest, deriveEventId, FriendEventSchema } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createEasemobAdapter } from "../src/index";
import { type SeedName, seedCallbacks, seedNames, signedSeed, testSecret } from "./seed-callbacks";

const receivedAt = new Date("2022-01-20T03:12:00.000Z");
const adapter = createEasemobAdapter({ secret: testSecret });

const idOf = (type: string, messageId: string) =>
  deriveEventId({ provider: "easemob", appId: "XXXX#XXXX", type, parts: [messageId] });

const common = { provider: "easemob", appId: "XXXX#XXXX", receivedAt: receivedAt.toISOString() };

/**
 * The documentation redacts `from` as `XXXX#XXXX`: without an `@easemob.com` domain it is a bare id,
 * and bare ids are emitted exactly as sent.
 */
const expectedEvents: Record<SeedName, unknown[]> = {
  add: [
    {
      ...common,
      id: idOf("friend.request.sent", "9XXXX2"),
      type: "friend.request.sent",
      actor: "XXXX#XXXX",
      target: "tst01",
      mutual: false,
      occurredAt: "2022-01-20T03:09:35.092Z",
      occurredAtSource: "provider-milliseconds",
      source: { command: "roster:add", callbackId: "XXXX#XXXX", messageId: "9XXXX2", host: "XXXX", eventType: "chat" },
      details: {},
    },
  ],
  remove: [
    {
      ...common,
      id: idOf("friend.removed", "XXXX463736"),
      type: "friend.removed",
      actor: "XXXX#XXXX",
      target: "tst01",
      mutual: true,
      occurredAt: "2022-01-20T03:08:58.571Z",
      occurredAtSource: "provider-milliseconds",
      source: { command: "roster:remove", callbackId: "XXXX#XXXX736", messageId: "XXXX463736", host: "XXXX", eventType: "chat" },
      details: { rosterVersion: "003DD920ADD15B51EB0B806E83BDD97F089B0092" },
    },
  ],
  // `accept` is sent to the user who accepted: `to` (tst01) answered the request of `from`.
  accept: [
    {
      ...common,
      id: idOf("friend.request.accepted", "96XXXX516"),
      type: "friend.request.accepted",
      actor: "tst01",
      target: "XXXX#XXXX",
      mutual: false,
      occurredAt: "2022-01-20T03:10:13.494Z",
      occurredAtSource: "provider-milliseconds",
      source: {
        command: "roster:accept",
        callbackId: "XXXX#XXXX_966725899779049516",
        messageId: "96XXXX516",
        host: "XXXX",
        eventType: "chat",
      },
      details: {},
    },
    {
      ...common,
      id: idOf("friend.added", "96XXXX516"),
      type: "friend.added",
      actor: "tst01",
      target: "XXXX#XXXX",
      mutual: true,
      occurredAt: "2022-01-20T03:10:13.494Z",
      occurredAtSource: "provider-milliseconds",
      source: {
        command: "roster:accept",
        callbackId: "XXXX#XXXX_966725899779049516",
        messageId: "96XXXX516",
        host: "XXXX",
        eventType: "chat",
      },
      details: { initiator: "XXXX#XXXX", trigger: "response" },
    },
  ],
  // `remote_decline` is sent to the requester: `to` (tst) asked, `from` declined.
  decline: [
    {
      ...common,
      id: idOf("friend.request.declined", "9XXXX68"),
      type: "friend.request.declined",
      actor: "XXXX#XXXX",
      target: "tst",
      mutual: false,
      occurredAt: "2022-01-20T03:11:00.029Z",
      occurredAtSource: "provider-milliseconds",
      source: {
        command: "roster:decline",
        callbackId: "XXXX#XXXX_966726099692161068",
        messageId: "9XXXX68",
        host: "XXXX",
        eventType: "chat",
      },
      details: {},
    },
  ],
  ban: [
    {
      ...common,
      id: idOf("friend.blocked", "9XXXX0"),
      type: "friend.blocked",
      actor: "XXXX#XXXX",
      target: "tst",
      mutual: false,
      occurredAt: "2022-01-20T03:07:26.912Z",
      occurredAtSource: "provider-milliseconds",
      source: {
        command: "roster:ban",
        callbackId: "XXXX#XXXX_966725184268539960",
        messageId: "9XXXX0",
        host: "XXXX",
        eventType: "chat",
      },
      details: {},
    },
  ],
  allow: [
    {
      ...common,
      id: idOf("friend.unblocked", "966725018736134200"),
      type: "friend.unblocked",
      actor: "XXXX#XXXX",
      target: "tst",
      mutual: false,
      occurredAt: "2022-01-20T03:06:48.357Z",
      occurredAtSource: "provider-milliseconds",
      source: {
        command: "roster:allow",
        callbackId: "XXXX#XXXX_966725018736134200",
        messageId: "966725018736134200",
        host: "XXXX",
        eventType: "chat",
      },
      details: {},
    },
  ],
};

const expectedCommands: Record<SeedName, string> = {
  add: "roster:add",
  remove: "roster:remove",
  accept: "roster:accept",
  decline: "roster:remote_decline",
  ban: "roster:ban",
  allow: "roster:allow",
};

describe("the documentation's callback examples", () => {
  for (const name of seedNames) {
    it(`normalizes the ${name} example`, async () => {
      const received = await adapter.receive(signedSeed(name, testSecret, receivedAt));
      expect(received.provider).toBe("easemob");
      expect(received.appId).toBe("XXXX#XXXX");
      expect(received.command).toBe(expectedCommands[name]);
      expect(received.unrecognized).toBeUndefined();
      expect(received.events).toEqual(expectedEvents[name]);
      for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
    });
  }

  it("refuses each example with the documentation's own security, made with a secret we do not have", async () => {
    for (const name of seedNames) {
      const original = createProviderRequest({ body: seedCallbacks[name] });
      await expect(adapter.receive(original)).rejects.toMatchObject({ code: "invalid_signature", status: 401 });
    }
  });
});
