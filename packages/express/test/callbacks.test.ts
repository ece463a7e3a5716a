import { createMemorySink, createProviderRequest } from "@friendhook/core";
import { buildEasemobCallback, signEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { easemobSecret, eventually, fixture, sdkAppId, send, startService, tencentToken, baseTimestamp } from "./support";

// Easemob's documented `remote_accept` example (easemob/easemob-doc, callback_contact.md, "同意好友申请 ›
// 申请方收到事件"), verbatim but for `security` and `timestamp`: the documented signature was made
// with an unpublished secret, and the documented time (2022) lies outside the freshness window.
function signedDocumentedAccept() {
  const documented = fixture("easemob-contact-remote-accept.json");
  const callId = "XXXX#XXXX_966725899779049516";
  const security = signEasemobCallback({ callId, timestamp: baseTimestamp }, easemobSecret);
  const body = documented.replace("a2e1545231e8acf60513b50984af0c6c", security).replace('"timestamp":1642648213494', `"timestamp":${baseTimestamp}`);
  return createProviderRequest({ headers: { "content-type": "application/json" }, body });
}

const easemob = (operation: string, from: string, to: string, messageId: string, timestamp: number) =>
  buildEasemobCallback({ secret: easemobSecret, operation, from, to, messageId, timestamp, appKey: "demo#app" });

describe("signed callbacks over HTTP", () => {
  it("stores Easemob's documented accept, answers 200, keeps the friend table and delivers the events", async () => {
    const sink = createMemorySink();
    const service = await startService({ sinks: [sink] });
    const response = await send(service.url, "/callbacks/easemob", signedDocumentedAccept());
    expect(response.status).toBe(200);

    const { events } = await service.read.events();
    expect(events.map((event) => event.type)).toEqual(["friend.request.accepted", "friend.added"]);
    const added = events[1];
    // `to` is the requester in this view; the user named in `from` answered.
    expect(added).toMatchObject({ provider: "easemob", appId: "XXXX#XXXX", actor: "XXXX", target: "tst01", mutual: true, occurredAt: new Date(baseTimestamp).toISOString() });
    const table = (userId: string) => service.read.friendsOf({ provider: "easemob", appId: "XXXX#XXXX", userId });
    expect(await table(added?.actor ?? "")).toEqual({ friends: [added?.target], blocked: [] });
    expect(await table(added?.target ?? "")).toEqual({ friends: [added?.actor], blocked: [] });

    await eventually(() => sink.events.length === 2, "the sink holds both events");
    expect(sink.events).toEqual(events);
  });

  it("stores Tencent's documented Sns.CallbackFriendAdd and answers in Tencent's format", async () => {
    const service = await startService();
    const request = buildTencentCallback({ sdkAppId, token: tencentToken, command: "Sns.CallbackFriendAdd", body: fixture("seed-003-friend-add.json") });
    const response = await send(service.url, "/callbacks/tencent", request);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    const { events } = await service.read.events();
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.type === "friend.added" && event.provider === "tencent" && event.appId === sdkAppId)).toBe(true);
    expect(await service.read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "id" })).toEqual({ friends: ["id1", "id2", "id3"], blocked: [] });
  });

  it("stores a retried callback once and delivers it once", async () => {
    const sink = createMemorySink({ idempotent: false });
    const service = await startService({ sinks: [sink] });
    const request = easemob("remove", "alice", "bob", "500000000000000001", baseTimestamp);
    const first = await send(service.url, "/callbacks/easemob", request);
    const retried = await send(service.url, "/callbacks/easemob", request);
    expect([first.status, retried.status]).toEqual([200, 200]);
    expect((await service.read.events()).events).toHaveLength(1);
    await eventually(() => sink.events.length === 1, "the event was delivered");
    await eventually(async () => (await service.read.deliveryCounts()).every((count) => count.pending === 0), "nothing is pending");
    expect(sink.events).toHaveLength(1);
  });

  it("keeps the later removal when it arrives before an acceptance clearly earlier than it", async () => {
    const service = await startService();
    // Recent enough for the adapter's freshness window, and a minute apart: the times order them.
    const now = Date.now();
    const removal = easemob("remove", "alice", "bob", "600000000000000002", now - 60_000);
    const acceptance = easemob("accept", "bob", "alice", "600000000000000001", now - 120_000);
    expect((await send(service.url, "/callbacks/easemob", removal)).status).toBe(200);
    expect((await send(service.url, "/callbacks/easemob", acceptance)).status).toBe(200);
    for (const userId of ["alice", "bob"]) {
      expect(await service.read.friendsOf({ provider: "easemob", appId: "demo#app", userId })).toEqual({ friends: [], blocked: [] });
    }
    const later = easemob("accept", "bob", "alice", "600000000000000003", now);
    expect((await send(service.url, "/callbacks/easemob", later)).status).toBe(200);
    expect(await service.read.friendsOf({ provider: "easemob", appId: "demo#app", userId: "alice" })).toEqual({ friends: ["bob"], blocked: [] });
  });

  it("keeps an unrecognized callback, once, and acknowledges it", async () => {
    const service = await startService();
    const request = easemob("rename", "alice", "bob", "700000000000000001", baseTimestamp);
    expect((await send(service.url, "/callbacks/easemob", request)).status).toBe(200);
    expect((await send(service.url, "/callbacks/easemob", request)).status).toBe(200);
    const { callbacks } = await service.read.unrecognized();
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ provider: "easemob", appId: "demo#app", command: "roster:rename" });
    expect(JSON.parse(callbacks[0]?.body ?? "{}")).toMatchObject({ msg_id: "700000000000000001", payload: { operation: "rename" } });
    expect((await service.read.events()).events).toEqual([]);
  });
});
