import { createProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";

const secret = "app-key-secret";
const signedAt = Date.UTC(2025, 5, 1, 9, 0, 0);
const receivedAt = new Date(signedAt + 1000);

/** A roster body signed with the test secret, fields as given (`undefined` leaves one out). */
function signed(fields: Record<string, unknown>) {
  const body = {
    chat_type: "roster",
    callId: "acme#chat_970000000000000001",
    timestamp: signedAt,
    payload: { operation: "remove" },
    appkey: "acme#chat",
    from: "acme#chat_alice@easemob.com",
    to: "bob",
    msg_id: "970000000000000001",
    ...fields,
  } as { callId: string; timestamp: number };
  return createProviderRequest({ body: JSON.stringify({ ...body, security: signEasemobCallback(body, secret) }), receivedAt });
}

describe("callId, signed as {appkey}_{id}, decides the app key", () => {
  const adapter = createEasemobAdapter({ secret });

  it("refuses an appkey that is not the one callId is signed for, even with every app key accepted", async () => {
    // The signature vouches for callId only: without this, a callback captured for one app could be
    // replayed as another app's, wherever two apps share a secret.
    await expect(adapter.receive(signed({ appkey: "evil#app", from: "evil#app_alice@easemob.com" }))).rejects.toMatchObject({
      code: "app_mismatch",
      status: 403,
      message: expect.stringContaining('signed for the app key "acme#chat"'),
    });
  });

  it("accepts an appkey that matches callId in another case, with callId's spelling", async () => {
    const received = await adapter.receive(signed({ appkey: "ACME#Chat" }));
    expect(received.appId).toBe("acme#chat");
    expect(received.events.map((event) => event.appId)).toEqual(["acme#chat"]);
  });

  it("reads the app key from callId when appkey is missing, and checks it against appKeys", async () => {
    const received = await adapter.receive(signed({ appkey: undefined }));
    expect(received.appId).toBe("acme#chat");
    expect(received.events.map((event) => [event.actor, event.target])).toEqual([["alice", "bob"]]);
    const elsewhere = createEasemobAdapter({ secret, appKeys: ["acme#staging"] });
    await expect(elsewhere.receive(signed({ appkey: undefined }))).rejects.toMatchObject({ code: "app_mismatch" });
  });

  it("takes the app key whole when an app name breaks the console's rules", async () => {
    const underscored = createEasemobAdapter({ secret, appKeys: ["acme#chat_v2"] });
    const received = await underscored.receive(
      signed({ appkey: undefined, callId: "acme#chat_v2_970000000000000001", from: "acme#chat_v2_alice@easemob.com" }),
    );
    expect(received.appId).toBe("acme#chat_v2");
    expect(received.events.map((event) => event.actor)).toEqual(["alice"]);
  });

  it("refuses a from JID of another app than callId names", async () => {
    await expect(adapter.receive(signed({ appkey: undefined, from: "evil#app_alice@easemob.com" }))).rejects.toMatchObject({
      code: "invalid_payload",
      message: expect.stringContaining('from does not name a user of the app key "acme#chat"'),
    });
  });

  it("uses appkey when callId carries no app key (only redacted examples do), then the from JID", async () => {
    expect((await adapter.receive(signed({ callId: "redacted-736" }))).appId).toBe("acme#chat");
    expect((await adapter.receive(signed({ callId: "redacted-736", appkey: undefined }))).appId).toBe("acme#chat");
  });

  it("refuses a roster callback that names no app key at all", async () => {
    await expect(adapter.receive(signed({ callId: "redacted-736", appkey: undefined, from: "alice" }))).rejects.toMatchObject({
      code: "invalid_payload",
      message: expect.stringContaining("names no app key"),
    });
  });

  it("acknowledges a callback of another family that names no app key, and keeps it", async () => {
    const received = await adapter.receive(signed({ chat_type: "groupchat", callId: "{appkey}_8924312242322", appkey: undefined, from: "user1" }));
    expect(received).toMatchObject({ appId: "", command: "groupchat", events: [], acknowledgement: { status: 200 } });
  });

  it("still refuses a correctly signed callback for an app key the receiver does not serve", async () => {
    const served = createEasemobAdapter({ secret, appKeys: ["acme#chat"] });
    const foreign = buildEasemobCallback({ secret, appKey: "other#app", operation: "ban", from: "a", to: "b" });
    await expect(served.receive(foreign)).rejects.toMatchObject({ code: "app_mismatch", status: 403 });
  });
});
