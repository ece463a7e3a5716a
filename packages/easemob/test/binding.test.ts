import { type ProviderRequest, type ReceivedCallback, createProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { type EasemobCallbackInit, buildEasemobCallback, createEasemobAdapter } from "../src/index";

const secret = "binding-secret";
const appKey = "acme#chat";
const timestamp = Date.UTC(2025, 2, 3, 10, 0, 0, 123);
const receivedAt = new Date(timestamp + 800);
const adapter = createEasemobAdapter({ secret });

const build = (init: Partial<EasemobCallbackInit> & Pick<EasemobCallbackInit, "operation" | "from" | "to">) =>
  buildEasemobCallback({ secret, appKey, messageId: "970000000000000001", timestamp, receivedAt, ...init });

const bodyOf = (request: ProviderRequest) => JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;

/**
 * What an attacker can do with one captured callback: keep its signed triple (`callId`,
 * `timestamp`, `security`) and send any other body with it. The signature still verifies.
 */
function replayed(captured: ProviderRequest, body: Record<string, unknown>): ProviderRequest {
  const { callId, timestamp: signedAt, security } = bodyOf(captured);
  return createProviderRequest({ body: JSON.stringify({ ...body, callId, timestamp: signedAt, security }), receivedAt });
}

async function bindingOf(request: ProviderRequest) {
  const received: ReceivedCallback = await adapter.receive(request);
  if (received.binding === undefined) throw new Error("the callback carries no binding");
  return received.binding;
}

async function sameSignatureAnotherAction(captured: ProviderRequest, forged: ProviderRequest) {
  const [first, second] = [await bindingOf(captured), await bindingOf(replayed(captured, bodyOf(forged)))];
  expect(second.key).toBe(first.key);
  return { first, second };
}

describe("the binding of a callback's signature", () => {
  const remove = build({ operation: "remove", from: `${appKey}_alice@easemob.com`, to: "bob", rosterVersion: "R7" });

  it("keys on what was signed: the app key, callId, timestamp and security (in lower case)", async () => {
    const body = bodyOf(remove);
    const binding = await bindingOf(remove);
    expect(JSON.parse(binding.key)).toEqual(["easemob", appKey, body.callId, timestamp, body.security]);
    const upper = createProviderRequest({ body: JSON.stringify({ ...body, security: String(body.security).toUpperCase() }), receivedAt });
    expect((await bindingOf(upper)).key).toBe(binding.key);
  });

  it("expires when the freshness window would refuse the signature anyway", async () => {
    expect((await bindingOf(remove)).expiresAt).toBe(timestamp + 300_000);
    const wide = createEasemobAdapter({ secret, maximumAgeSeconds: 3600 });
    expect((await wide.receive(remove)).binding?.expiresAt).toBe(timestamp + 3_600_000);
  });

  it("differs between rules: the same callback signed with another rule's secret is another key", async () => {
    const twoRules = createEasemobAdapter({ secrets: [secret, "second-rule"] });
    const other = buildEasemobCallback({ secret: "second-rule", appKey, messageId: "970000000000000001", timestamp, receivedAt, operation: "remove", from: "alice", to: "bob" });
    expect((await twoRules.receive(other)).binding?.key).not.toBe((await twoRules.receive(remove)).binding?.key);
  });
});

describe("fingerprints that must match: copies of one action", () => {
  it("a retry, and a copy delivered offline (chat_offline) or by another host", async () => {
    const first = await bindingOf(build({ operation: "ban", from: "alice", to: "bob" }));
    expect(await bindingOf(build({ operation: "ban", from: "alice", to: "bob" }))).toEqual(first);
    expect(await bindingOf(build({ operation: "ban", from: "alice", to: "bob", eventType: "chat_offline", host: "msync@ebs-2" }))).toEqual(first);
  });

  it("the same users written as a JID, with a resource, or in another case", async () => {
    const first = await bindingOf(build({ operation: "remove", from: "alice", to: "bob" }));
    expect((await bindingOf(build({ operation: "remove", from: `${appKey}_Alice@easemob.com/ios_1`, to: "BOB" }))).fingerprint).toBe(first.fingerprint);
  });

  for (const [local, remote] of [
    ["accept", "remote_accept"],
    ["decline", "remote_decline"],
  ] as const) {
    it(`${local} and ${remote}: one answer, whatever from and to each view carries, and its own roster version`, async () => {
      // As the documents show them: the same from, a different to (each reading of the redacted from).
      const documentedAnswerer = [
        build({ operation: local, from: "bob", to: "bob", rosterVersion: "BOB-3" }),
        build({ operation: remote, from: "bob", to: "alice", rosterVersion: "ALICE-9" }),
      ];
      const documentedRequester = [
        build({ operation: local, from: "alice", to: "bob", rosterVersion: "BOB-3" }),
        build({ operation: remote, from: "alice", to: "alice", rosterVersion: "ALICE-9" }),
      ];
      // And as earlier versions of this adapter read them: from is the other user in each view.
      const crossed = [
        build({ operation: local, from: "alice", to: "bob", rosterVersion: "BOB-3" }),
        build({ operation: remote, from: "bob", to: "alice", rosterVersion: "ALICE-9" }),
      ];
      const fingerprints = new Set<string>();
      for (const request of [...documentedAnswerer, ...documentedRequester, ...crossed]) {
        const binding = await bindingOf(request);
        fingerprints.add(binding.fingerprint);
      }
      expect(fingerprints.size).toBe(1);
    });
  }

  it("an add in either direction (the pair is a set)", async () => {
    const first = await bindingOf(build({ operation: "add", from: "alice", to: "bob", reason: "hi" }));
    expect((await bindingOf(build({ operation: "add", from: "bob", to: "alice", reason: "hi" }))).fingerprint).toBe(first.fingerprint);
  });
});

describe("fingerprints that must differ: one captured signature replayed with another body", () => {
  const captured = build({ operation: "remove", from: "alice", to: "bob" });

  it("another user pair: strangers made friends, or another friendship ended", async () => {
    for (const forged of [
      build({ operation: "remove", from: "carol", to: "dave" }),
      build({ operation: "remove", from: "alice", to: "carol" }),
    ]) {
      const { first, second } = await sameSignatureAnotherAction(captured, forged);
      expect(second.fingerprint).not.toBe(first.fingerprint);
    }
  });

  it("another operation family: remove into add, ban into allow, accept into decline", async () => {
    for (const [genuine, forged] of [
      [captured, build({ operation: "add", from: "alice", to: "bob" })],
      [build({ operation: "ban", from: "alice", to: "bob" }), build({ operation: "allow", from: "alice", to: "bob" })],
      [build({ operation: "remote_accept", from: "bob", to: "alice" }), build({ operation: "remote_decline", from: "bob", to: "alice" })],
      [build({ operation: "accept", from: "bob", to: "bob" }), build({ operation: "remote_decline", from: "bob", to: "alice" })],
    ] as const) {
      const { first, second } = await sameSignatureAnotherAction(genuine, forged);
      expect(second.fingerprint).not.toBe(first.fingerprint);
    }
  });

  it("another msg_id, which would make new event ids", async () => {
    const { first, second } = await sameSignatureAnotherAction(captured, build({ operation: "remove", from: "alice", to: "bob", messageId: "970000000000000002" }));
    expect(second.fingerprint).not.toBe(first.fingerprint);
  });

  it("a failed ban replayed as one that took effect", async () => {
    const failed = build({ operation: "ban", from: "alice", to: "bob", errorCode: "user_not_found" });
    const { first, second } = await sameSignatureAnotherAction(failed, build({ operation: "ban", from: "alice", to: "bob" }));
    expect(second.fingerprint).not.toBe(first.fingerprint);
  });

  it("a callback of another family (a chat message) replayed as a roster change, and the reverse", async () => {
    const chat = {
      chat_type: "chat",
      appkey: appKey,
      from: "alice",
      to: "bob",
      msg_id: "970000000000000001",
      eventType: "chat",
      payload: { ext: {}, bodies: [{ msg: "hi", type: "txt" }] },
    };
    const chatMessage = replayed(captured, chat);
    const asChat = await adapter.receive(chatMessage);
    expect(asChat.unrecognized?.command).toBe("chat");
    const { first, second } = await sameSignatureAnotherAction(chatMessage, build({ operation: "add", from: "mallory", to: "bob" }));
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect((await bindingOf(replayed(captured, chat))).fingerprint).not.toBe((await bindingOf(captured)).fingerprint);
  });
});
