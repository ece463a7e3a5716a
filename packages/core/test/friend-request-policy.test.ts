import { describe, expect, it } from "vitest";
import { allowAllFriendRequests, decideFriendRequest, type PendingFriendRequest } from "../src/index";

const pending: PendingFriendRequest = { provider: "tencent", appId: "1400000000", stage: "request", actor: "alice", target: "bob" };

describe("decideFriendRequest", () => {
  it("returns the policy's answer", async () => {
    const decided = await decideFriendRequest(() => ({ allow: false, code: 38001, reason: "blocked by moderation" }), pending, 1000);
    expect(decided).toEqual({ decision: { allow: false, code: 38001, reason: "blocked by moderation" }, decidedBy: "policy" });
    expect(await decideFriendRequest(allowAllFriendRequests, pending, 1000)).toEqual({ decision: { allow: true }, decidedBy: "policy" });
  });

  it("falls back to allow when the policy misses the deadline", async () => {
    const slow = () => new Promise<never>(() => undefined);
    const decided = await decideFriendRequest(slow, pending, 20);
    expect(decided).toEqual({ decision: { allow: true }, decidedBy: "deadline" });
  });

  it("falls back when the policy throws, and honours a custom fallback", async () => {
    const failing = () => {
      throw new Error("database down");
    };
    expect(await decideFriendRequest(failing, pending, 1000)).toEqual({ decision: { allow: true }, decidedBy: "policy_error" });
    const denied = await decideFriendRequest(failing, pending, 1000, { allow: false, code: 38000 });
    expect(denied.decision).toEqual({ allow: false, code: 38000 });
  });
});
