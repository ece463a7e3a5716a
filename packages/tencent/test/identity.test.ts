import { describe, expect, it } from "vitest";
import { buildTencentCallback } from "../src/index";
import { adapterWith, fixedRequestTime, fixture, sdkAppId, token } from "./support";

const command = "Sns.CallbackFriendDelete";

function deliver(body: string, requestTime = fixedRequestTime, receivedAt = new Date()) {
  return adapterWith().receive(buildTencentCallback({ sdkAppId, token, command, body, requestTime, receivedAt }));
}

const ids = async (body: string, requestTime?: number) => (await deliver(body, requestTime)).events.map((event) => event.id);

describe("event identity", () => {
  it("gives a retry (same body, new RequestTime and Sign, later) the same ids", async () => {
    for (const name of ["seed-003-friend-add.json", "seed-004-friend-delete.json", "real-traffic-friend-delete.json"]) {
      const body = fixture(name);
      const retryCommand = JSON.parse(body).CallbackCommand as string;
      const first = await adapterWith().receive(buildTencentCallback({ sdkAppId, token, command: retryCommand, body, requestTime: fixedRequestTime }));
      const retried = await adapterWith().receive(
        buildTencentCallback({ sdkAppId, token, command: retryCommand, body, requestTime: fixedRequestTime + 30, receivedAt: new Date(Date.now() + 30_000) }),
      );
      expect(retried.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
      expect(new Set(first.events.map((event) => event.id)).size).toBe(first.events.length);
    }
  });

  it("keeps two callbacks with different RequestIds apart, even with identical pairs", async () => {
    const body = (requestId: string) => JSON.stringify({ CallbackCommand: command, PairList: [{ From_Account: "a", To_Account: "b" }], RequestId: requestId });
    const first = await ids(body("request-1"));
    const second = await ids(body("request-2"));
    expect(first).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
  });

  it("without RequestId, keeps changes at different TimeStamps apart and merges the same TimeStamp", async () => {
    const body = (timeStamp: number, extra = {}) =>
      JSON.stringify({ CallbackCommand: command, PairList: [{ From_Account: "a", To_Account: "b", TimeStamp: timeStamp }], ...extra });
    const [first] = await ids(body(1_700_000_000));
    const [later] = await ids(body(1_700_000_001));
    expect(later).not.toBe(first);
    // The time identifies the change, so unrelated body differences (a new field) do not split it.
    const [sameTime] = await ids(body(1_700_000_000, { ClientIP: "198.51.100.7" }));
    expect(sameTime).toBe(first);
  });

  it("without RequestId or time, identifies by the raw body bytes: identical bodies are one change", async () => {
    const body = JSON.stringify({ CallbackCommand: command, PairList: [{ From_Account: "a", To_Account: "b" }] });
    const [first] = await ids(body);
    const [again] = await ids(body);
    expect(again).toBe(first);
    const [reformatted] = await ids(body.replace(",", ", "));
    expect(reformatted).not.toBe(first);
  });

  it("never lets the query signature fields into the identity", async () => {
    const body = fixture("seed-003-friend-add.json");
    const build = (requestTime: number) =>
      buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendAdd", body, requestTime });
    const [first, second] = await Promise.all([adapterWith().receive(build(fixedRequestTime - 50)), adapterWith().receive(build(fixedRequestTime + 50))]);
    expect(second.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
  });

  it("gives the same pair different ids for different commands and types", async () => {
    const pair = [{ From_Account: "a", To_Account: "b" }];
    const results = await Promise.all(
      ["Sns.CallbackFriendAdd", "Sns.CallbackFriendDelete", "Sns.CallbackBlackListAdd", "Sns.CallbackBlackListDelete"].map((name) =>
        adapterWith().receive(
          buildTencentCallback({ sdkAppId, token, command: name, body: { CallbackCommand: name, PairList: pair, RequestId: "same" }, requestTime: fixedRequestTime }),
        ),
      ),
    );
    const allIds = results.map((result) => result.events[0]?.id);
    expect(new Set(allIds).size).toBe(4);
  });

  it("emits a pair listed twice in one callback once", async () => {
    const body = JSON.stringify({
      CallbackCommand: command,
      PairList: [
        { From_Account: "a", To_Account: "b" },
        { From_Account: "a", To_Account: "b" },
        { From_Account: "b", To_Account: "a" },
      ],
      RequestId: "duplicated-pairs",
    });
    const received = await deliver(body);
    expect(received.events.map((event) => [event.actor, event.target])).toEqual([
      ["a", "b"],
      ["b", "a"],
    ]);
  });
});
