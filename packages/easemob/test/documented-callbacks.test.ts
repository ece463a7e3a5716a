import { type FriendEvent, FriendEventSchema, type ReceivedCallback } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createEasemobAdapter } from "../src/index";
import { type DocumentedName, documentedText, signedDocumented } from "./documented-callbacks";
import { testSecret } from "./seed-callbacks";

const adapter = createEasemobAdapter({ secret: testSecret });

const receive = async (name: DocumentedName, from?: string) =>
  adapter.receive(signedDocumented(name, from === undefined ? {} : { from }));

/** What tells an event apart, without the fields every event of a callback shares. */
const summary = (event: FriendEvent) => ({ type: event.type, actor: event.actor, target: event.target, mutual: event.mutual });

function eventsOf(received: ReceivedCallback) {
  for (const event of received.events) expect(FriendEventSchema.parse(event)).toEqual(event);
  return received.events.map(summary);
}

const accepted = (answerer: string, requester: string) => [
  { type: "friend.request.accepted", actor: answerer, target: requester, mutual: false },
  { type: "friend.added", actor: answerer, target: requester, mutual: true },
];
const declined = (answerer: string, requester: string) => [
  { type: "friend.request.declined", actor: answerer, target: requester, mutual: false },
];

describe("the current contact page's examples (callback_contact.md)", () => {
  it("add: the JID in from is the requester, to the user asked", async () => {
    const received = await receive("contact-add");
    expect(received.appId).toBe("XXXX#XXXX");
    expect(eventsOf(received)).toEqual([{ type: "friend.request.sent", actor: "XXXX", target: "tst01", mutual: false }]);
    expect(received.events[0]).toMatchObject({
      occurredAt: "2022-01-20T03:09:35.092Z",
      occurredAtSource: "provider-milliseconds",
      source: { command: "roster:add", callbackId: "XXXX#XXXX", messageId: "9XXXX2", host: "XXXX", eventType: "chat" },
    });
  });

  it("remove, ban and allow: from acts on to", async () => {
    expect(eventsOf(await receive("contact-remove"))).toEqual([{ type: "friend.removed", actor: "XXXX", target: "tst01", mutual: true }]);
    expect(eventsOf(await receive("contact-ban"))).toEqual([{ type: "friend.blocked", actor: "XXXX", target: "tst", mutual: false }]);
    expect(eventsOf(await receive("contact-allow"))).toEqual([{ type: "friend.unblocked", actor: "XXXX", target: "tst", mutual: false }]);
  });

  it("remote_accept and remote_decline: to is the requester, as the page says", async () => {
    expect(eventsOf(await receive("contact-remote-accept"))).toEqual(accepted("XXXX", "tst01"));
    expect(eventsOf(await receive("contact-remote-decline"))).toEqual(declined("XXXX", "tst"));
  });

  it("accept and decline: to is the user who answered, as the page says", async () => {
    expect(eventsOf(await receive("contact-accept"))).toEqual(accepted("tst02", "XXXX"));
    expect(eventsOf(await receive("contact-decline"))).toEqual(declined("tst11", "XXXX"));
  });

  it("binds both views of one answer to one fingerprint: they share callId, security, msg_id and timestamp", async () => {
    for (const [local, remote] of [
      ["contact-accept", "contact-remote-accept"],
      ["contact-decline", "contact-remote-decline"],
    ] as const) {
      const [answerer, requester] = [await receive(local), await receive(remote)];
      expect(answerer.binding?.key).toBe(requester.binding?.key);
      expect(answerer.binding?.fingerprint).toBe(requester.binding?.fingerprint);
    }
  });
});

/**
 * A store as the receiver keeps one: the first fingerprint seen for a signature binds it, a second
 * one is refused (`signature_reused`), and an event id is stored once.
 */
function storeOf(callbacks: readonly ReceivedCallback[]) {
  const bindings = new Map<string, string>();
  const events = new Map<string, FriendEvent>();
  let refused = 0;
  let unrecognized = 0;
  for (const callback of callbacks) {
    const { key, fingerprint } = callback.binding ?? { key: "", fingerprint: "" };
    if ((bindings.get(key) ?? fingerprint) !== fingerprint) {
      refused += 1;
      continue;
    }
    bindings.set(key, fingerprint);
    if (callback.unrecognized) unrecognized += 1;
    for (const event of callback.events) if (!events.has(event.id)) events.set(event.id, event);
  }
  return { events: [...events.values()].map(summary), refused, unrecognized };
}

describe("both views of one answer, whichever user the redacted from stands for", () => {
  // The page redacts from as XXXX in both views. It is one of the two users: if it is the
  // answerer, the answerer's own view (accept) names the answerer twice; if it is the requester,
  // the requester's view (remote_accept) does. Either way one answer must be recorded, once.
  for (const [operation, local, remote, answerer, requester, expected] of [
    ["accept", "contact-accept", "contact-remote-accept", "tst02", "tst01", accepted("tst02", "tst01")],
    ["decline", "contact-decline", "contact-remote-decline", "tst11", "tst", declined("tst11", "tst")],
  ] as const) {
    for (const [reading, user] of [
      ["the answerer", answerer],
      ["the requester", requester],
    ] as const) {
      describe(`${operation}, from standing for ${reading}`, () => {
        const from = `XXXX#XXXX_${user}@easemob.com/android_8070d7b2`;
        const views = async () => ({ local: await receive(local, from), remote: await receive(remote, from) });

        it("records one answer with both users, in either order, and no user with himself", async () => {
          const { local: answererView, remote: requesterView } = await views();
          for (const order of [
            [answererView, requesterView],
            [requesterView, answererView],
          ]) {
            expect(storeOf(order)).toEqual({ events: expected, refused: 0, unrecognized: 1 });
          }
        });

        it("records it from the view that names both users when only that one arrives, and nothing from the other", async () => {
          const { local: answererView, remote: requesterView } = await views();
          const [full, partial] = answererView.events.length > 0 ? [answererView, requesterView] : [requesterView, answererView];
          expect(storeOf([full])).toEqual({ events: expected, refused: 0, unrecognized: 0 });
          expect(storeOf([partial])).toEqual({ events: [], refused: 0, unrecognized: 1 });
          expect(partial.acknowledgement.status).toBe(200);
          expect(partial.unrecognized?.reason).toContain("from and to name the same user");
        });
      });
    }
  }
});

describe("examples without appkey (shengwang-chat-doc)", () => {
  it("reads the app key from callId, or from the from JID when callId is redacted", async () => {
    for (const name of ["shengwang-contact-add", "shengwang-contact-remote-accept", "shengwang-contact-remove"] as const) {
      expect(JSON.parse(documentedText(name))).not.toHaveProperty("appkey");
      const received = await receive(name);
      expect(received.appId).toBe("XXXX#XXXX");
      expect(received.events.length).toBeGreaterThan(0);
      for (const event of received.events) expect(event.appId).toBe("XXXX#XXXX");
    }
    expect(eventsOf(await receive("shengwang-contact-add"))).toEqual([{ type: "friend.request.sent", actor: "XXXX", target: "tst01", mutual: false }]);
    expect(eventsOf(await receive("shengwang-contact-remote-accept"))).toEqual(accepted("XXXX", "tst01"));
  });

  it("checks the app key read that way against appKeys, and gives events the configured spelling", async () => {
    const configured = createEasemobAdapter({ secret: testSecret, appKeys: ["xxxx#xxxx"] });
    const received = await configured.receive(signedDocumented("shengwang-contact-add"));
    expect(received.events.map((event) => event.appId)).toEqual(["xxxx#xxxx"]);
    const other = createEasemobAdapter({ secret: testSecret, appKeys: ["acme#chat"] });
    await expect(other.receive(signedDocumented("shengwang-contact-add"))).rejects.toMatchObject({ code: "app_mismatch", status: 403 });
  });
});

describe("from with a device resource (callback_configurations.md, 2023)", () => {
  it("reads the user before the resource, without a domain", async () => {
    expect(eventsOf(await receive("configurations-2023-remote-accept"))).toEqual(accepted("XXXX", "2222"));
  });

  it("acknowledges an app key with a resource, which names no user, and keeps it as unrecognized", async () => {
    const received = await receive("configurations-2023-remote-decline");
    expect(received.events).toEqual([]);
    expect(received.acknowledgement.status).toBe(200);
    expect(received.unrecognized).toEqual({ command: "roster:remote_decline", reason: expect.stringContaining("from names no user") });
  });
});

describe("callbacks of other families on the same URL", () => {
  for (const [name, command] of [
    ["configurations-2023-user-login", "userStatus"],
    ["group-ban", "group_op_event"],
    ["group-room-join-direct", "group_op_event"],
    ["configurations-muc-create", "muc"],
  ] as const) {
    it(`acknowledges ${name} (${command}) and keeps it as unrecognized, with the security left out`, async () => {
      const configured = createEasemobAdapter({ secret: testSecret, appKeys: ["XXXX#XXXX"] });
      const request = signedDocumented(name);
      const received = await configured.receive(request);
      expect(received).toMatchObject({
        appId: "XXXX#XXXX",
        command,
        events: [],
        unrecognized: { command, reason: expect.stringContaining("not a roster callback") },
        acknowledgement: { status: 200 },
      });
      const { security, ...unsigned } = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
      expect(JSON.parse(received.body ?? "")).toEqual(unsigned);
      expect(received.body).not.toContain(security as string);
      expect(received.binding?.fingerprint).toContain(command);
    });
  }
});
