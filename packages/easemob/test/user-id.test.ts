import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter } from "../src/index";

const secret = "user-id-secret";
const adapter = createEasemobAdapter({ secret });

async function usersOf(from: string, to = "bob", appKey = "org#app") {
  const received = await adapter.receive(buildEasemobCallback({ secret, appKey, operation: "remove", from, to }));
  const [event] = received.events;
  return { actor: event?.actor, target: event?.target };
}

describe("user ids", () => {
  it("keeps a bare id exactly as sent", async () => {
    expect(await usersOf("tst")).toEqual({ actor: "tst", target: "bob" });
    expect(await usersOf("Mixed.Case-user_01")).toEqual({ actor: "Mixed.Case-user_01", target: "bob" });
  });

  it("keeps the documentation's redacted XXXX#XXXX as a bare id", async () => {
    expect(await usersOf("XXXX#XXXX", "tst01", "XXXX#XXXX")).toEqual({ actor: "XXXX#XXXX", target: "tst01" });
  });

  it("reads a JID as the bare id behind the app key prefix", async () => {
    expect(await usersOf("org#app_alice@easemob.com")).toEqual({ actor: "alice", target: "bob" });
  });

  it("drops a JID's resource", async () => {
    expect(await usersOf("org#app_alice@easemob.com/mobile_8a1f-2b")).toEqual({ actor: "alice", target: "bob" });
    expect(await usersOf("org#app_alice@easemob.com/")).toEqual({ actor: "alice", target: "bob" });
  });

  it("strips only the exact app key prefix: ids with _, - and . survive whole", async () => {
    expect(await usersOf("org#app_alice_smith@easemob.com")).toEqual({ actor: "alice_smith", target: "bob" });
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

  it("refuses a JID it cannot read with invalid_payload, naming the field", async () => {
    for (const [from, reason] of [
      ["other#app_alice@easemob.com", /from is a JID that does not name a user of the app key "org#app"/],
      ["org#app_@easemob.com", /from is a JID that does not name a user/],
      ["org#app_alice@example.com", /from is a JID of the domain "example.com"/],
      ["alice@", /from is neither a bare user id nor a JID/],
      ["a@b@easemob.com", /from is neither a bare user id nor a JID/],
    ] as const) {
      await expect(usersOf(from)).rejects.toMatchObject({ code: "invalid_payload", status: 400, message: expect.stringMatching(reason) });
    }
  });
});
