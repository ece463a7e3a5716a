import { type FriendRequestDecision, type PendingFriendRequest, storedCallbackOf } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createOpenImAdapter, type OpenImAdapterOptions, openImCallbackRequest } from "../src/index";
import { ana, ben, openImBodies, operationId } from "./fixtures";

const allowAnswer = { actionCode: 0, errCode: 0, errMsg: "", errDlt: "", nextCode: 0 };

async function beforeCallback(name: "beforeAddFriend" | "beforeAddFriendAgree", options: OpenImAdapterOptions) {
  const request = openImCallbackRequest({ body: openImBodies[name], operationId });
  const received = await createOpenImAdapter(options).receive(request);
  // The id a receiver keeps the callback under: the pending request names it.
  const callbackId = storedCallbackOf(received, request).id;
  return { received, callbackId, answer: JSON.parse(received.acknowledgement.body) as Record<string, unknown> };
}

const never = () => new Promise<never>(() => undefined);

describe("OpenIM before-callbacks and the friend-request policy", () => {
  it("asks the policy about a request with who asks whom and the request text", async () => {
    const asked: PendingFriendRequest[] = [];
    const { received, callbackId, answer } = await beforeCallback("beforeAddFriend", {
      appId: "openim-eu",
      decide: (request) => {
        asked.push(request);
        return { allow: true };
      },
    });
    expect(asked).toEqual([
      { provider: "openim", appId: "openim-eu", stage: "request", actor: ana, target: ben, message: "Hi, it's Ana from the climbing gym <3", callbackId },
    ]);
    expect(answer).toEqual(allowAnswer);
    expect(received.events.map((event) => event.type)).toEqual(["friend.request.sent"]);
  });

  it("asks the policy about an acceptance with the answering user as actor", async () => {
    const asked: PendingFriendRequest[] = [];
    const { callbackId } = await beforeCallback("beforeAddFriendAgree", {
      decide: (request) => {
        asked.push(request);
        return { allow: true };
      },
    });
    expect(asked).toEqual([
      { provider: "openim", appId: "openim", stage: "response", actor: ben, target: ana, accepting: true, message: "Sure!", callbackId },
    ]);
  });

  it("vetoes a denied request with nextCode 1, the policy's code and reason, and no event", async () => {
    const { received, answer } = await beforeCallback("beforeAddFriend", {
      decide: async () => ({ allow: false, code: 1302, reason: "Ben does not accept requests from strangers." }),
    });
    expect(received.acknowledgement.status).toBe(200);
    expect(answer).toEqual({ actionCode: 0, errCode: 1302, errMsg: "Ben does not accept requests from strangers.", errDlt: "", nextCode: 1 });
    expect(received.events).toEqual([]);
    expect(received.unrecognized).toBeUndefined();
  });

  it("vetoes a denied acceptance the same way", async () => {
    const { received, answer } = await beforeCallback("beforeAddFriendAgree", { decide: () => ({ allow: false }) });
    expect(answer).toMatchObject({ actionCode: 0, nextCode: 1, errCode: 80000, errMsg: "The friend request was refused." });
    expect(received.events).toEqual([]);
  });

  it("uses the configured denial code when the policy gives none, or one OpenIM cannot read", async () => {
    for (const code of [undefined, 0, -5, 1.5, 2 ** 31]) {
      const decision = { allow: false, ...(code === undefined ? {} : { code }) } as FriendRequestDecision;
      const { answer } = await beforeCallback("beforeAddFriend", { denialErrorCode: 10101, decide: () => decision });
      expect(answer).toMatchObject({ errCode: 10101, nextCode: 1 });
    }
  });

  it("allows when the policy misses the deadline, as OpenIM would need an answer in time", async () => {
    const { received, answer } = await beforeCallback("beforeAddFriend", { decide: never, decisionDeadlineMs: 25 });
    expect(answer).toEqual(allowAnswer);
    expect(received.events.map((event) => event.type)).toEqual(["friend.request.sent"]);
  });

  it("allows when the policy throws, or answers with something that is not a decision", async () => {
    const failing = await beforeCallback("beforeAddFriendAgree", {
      decide: () => {
        throw new Error("database down");
      },
    });
    expect(failing.answer).toEqual(allowAnswer);
    expect(failing.received.events.map((event) => event.type)).toEqual(["friend.request.accepted"]);
    const nonsense = await beforeCallback("beforeAddFriend", { decide: () => "no" as unknown as FriendRequestDecision });
    expect(nonsense.answer).toEqual(allowAnswer);
  });

  it("does not consult the policy for after-callbacks or blocks", async () => {
    let calls = 0;
    const decide = () => {
      calls += 1;
      return { allow: false } as const;
    };
    const adapter = createOpenImAdapter({ decide });
    for (const name of ["afterAddFriend", "afterAddFriendAgree", "beforeAddBlack", "afterDeleteFriend"] as const) {
      const received = await adapter.receive(openImCallbackRequest({ body: openImBodies[name], operationId }));
      expect(JSON.parse(received.acknowledgement.body)).toEqual(allowAnswer);
      expect(received.events.length).toBeGreaterThan(0);
    }
    expect(calls).toBe(0);
  });
});
