import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter } from "../src/index";

const secret = "user-id-secret";
const adapter = createEasemobAdapter({ secret });

async function receivedFrom(from: string, to = "bob", appKey = "org#app") {
  return adapter.receive(buildEasemobCallback({ secret, appKey, operation: "remove", from, to }));
}

async function usersOf(from: string, to = "bob", appKey = "org#app") {
  const [event] = (await receivedFrom(from, to, appKey)).events;
  return { actor: event?.actor, target: event?.target };
}

describe("user ids", () => {
  it("keeps a bare id exactly as sent", async () => {
    expect(await usersOf("tst")).toEqual({ actor: "tst", target: "bob" });
    expect(await usersOf("Mixed.Case-user_01")).toEqual({ actor: "Mixed.Case-user_01", target: "bob" });
  });

  it("reads a JID as the bare id behind the app key prefix", async () => {
    expect(await usersOf("org#app_alice@easemob.com")).toEqual({ actor: "alice", target: "bob" });
  });

  it("drops a JID's resource", async () => {
    expect(await usersOf("org#app_alice@easemob.com/mobile_8a1f-2b")).toEqual({ actor: "alice", target: "bob" });
    expect(await usersOf("org#app_alice@easemob.com/")).toEqual({ actor: "alice", target: "bob" });
  });

  it("reads the documented form with a device resource and no domain, never keeping the resource", async () => {
    // callback_configurations.md (2023): "from": "XXXX#XXXX_XXXX/android_XXXX".
    expect(await usersOf("org#app_alice/android_8070d7b2-7be0-4959-b4a2-06795eb6e63d")).toEqual({ actor: "alice", target: "bob" });
    expect(await usersOf("org#app_alice")).toEqual({ actor: "alice", target: "bob" });
  });

  it("strips only the exact app key prefix: ids with _, - and . survive whole", async () => {
    expect(await usersOf("org#app_alice_smith@easemob.com")).toEqual({ actor: "alice_smith", target: "bob" });
    expect(await usersOf("org#app_alice_smith/ios_1")).toEqual({ actor: "alice_smith", target: "bob" });
    expect(await usersOf("org#app_org#app_x@easemob.com")).toEqual({ actor: "org#app_x", target: "bob" });
    expect(await usersOf("org#app__lead-1.b@easemob.com")).toEqual({ actor: "_lead-1.b", target: "bob" });
    expect(await usersOf("my_org#my_app_a_b@easemob.com", "c_d", "my_org#my_app")).toEqual({ actor: "a_b", target: "c_d" });
  });

  it("reads app key and domain without regard to case", async () => {
    expect(await usersOf("ORG#APP_alice@EaseMob.COM")).toEqual({ actor: "alice", target: "bob" });
  });

  it("reads a JID in to as well", async () => {
    expect(await usersOf("alice", "org#app_bob@easemob.com/web")).toEqual({ actor: "alice", target: "bob" });
  });

  it("never makes an app key a user: the app key alone, or with a resource, names no user", async () => {
    // The seed examples' "from":"XXXX#XXXX" and callback_configurations.md (2023)'s
    // "from": "XXXX#XXXX/android_XXXX", each with the app key XXXX#XXXX.
    for (const from of ["org#app", "ORG#App", "org#app/android_XXXX", "org#app@easemob.com", "org#app_@easemob.com", "org#app_/ios"]) {
      const received = await receivedFrom(from);
      expect(received.events).toEqual([]);
      expect(received.acknowledgement.status).toBe(200);
      expect(received.unrecognized).toEqual({ command: "roster:remove", reason: expect.stringContaining("from names no user") });
    }
    const to = await receivedFrom("alice", "org#app/web");
    expect(to.events).toEqual([]);
    expect(to.unrecognized?.reason).toContain("to names no user");
  });

  it("refuses an address it cannot read with invalid_payload, naming the field", async () => {
    for (const [from, reason] of [
      ["other#app_alice@easemob.com", /from does not name a user of the app key "org#app"/],
      ["other#app_alice/android_1", /from does not name a user of the app key "org#app"/],
      ["org#app_alice@example.com", /from is a JID of the domain "example.com"/],
      ["alice@", /from is a JID of the domain ""/],
      ["a@b@easemob.com", /from is neither a bare user id nor a JID/],
      ["@easemob.com", /from is neither a bare user id nor a JID/],
      ["/android_1", /from is neither a bare user id nor a JID/],
    ] as const) {
      await expect(usersOf(from)).rejects.toMatchObject({ code: "invalid_payload", status: 400, message: expect.stringMatching(reason) });
    }
  });
});
