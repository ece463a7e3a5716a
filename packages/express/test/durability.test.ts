import { buildEasemobCallback } from "@friendhook/easemob";
import type { CallbackHandledInfo } from "@friendhook/receiver";
import { createSqliteStore } from "@friendhook/sqlite";
import { buildTencentCallback } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { easemobSecret, errorCodeOf, fixture, sdkAppId, send, startService, temporaryDirectory, tencentToken, baseTimestamp } from "./support";

describe("accept after persist", () => {
  it("answers 503 store_unavailable while the store fails, acknowledges nothing, and stores the provider's retry", async () => {
    let failing = true;
    const handled: CallbackHandledInfo[] = [];
    const service = await startService({
      wrapStore: (store) => ({
        ...store,
        append: (input) => (failing ? Promise.reject(new Error("SQLITE_IOERR: disk I/O error")) : store.append(input)),
      }),
      observer: { callbackHandled: (info) => handled.push(info) },
    });
    const request = buildTencentCallback({ sdkAppId, token: tencentToken, command: "Sns.CallbackFriendAdd", body: fixture("seed-003-friend-add.json") });
    const refused = await send(service.url, "/callbacks/tencent", request);
    expect(refused.status).toBe(503);
    expect(errorCodeOf(refused)).toBe("store_unavailable");
    expect(JSON.parse(refused.body)).toMatchObject({ ActionStatus: "FAIL" });
    expect(refused.body).not.toContain("SQLITE_IOERR");
    expect((await service.store.listEvents()).events).toEqual([]);
    expect(handled.at(-1)).toMatchObject({ adapter: "tencent", provider: "tencent", outcome: "failed", status: 503, errorCode: "store_unavailable" });

    failing = false;
    const retried = await send(service.url, "/callbacks/tencent", request);
    expect(retried.status).toBe(200);
    expect((await service.store.listEvents()).events).toHaveLength(3);
    expect(handled.at(-1)).toMatchObject({ outcome: "stored", status: 200, eventTypes: ["friend.added", "friend.added", "friend.added"] });
  });

  it("makes every one of many concurrent callbacks durable before acknowledging it", async () => {
    const directory = temporaryDirectory();
    const service = await startService({ directory, start: false });
    const requests = Array.from({ length: 40 }, (_, index) =>
      buildEasemobCallback({ secret: easemobSecret, operation: "remove", from: `user-${index}`, to: "hub", messageId: `9000000000000${index}`, timestamp: baseTimestamp + index }),
    );
    const responses = await Promise.all(requests.map((request) => send(service.url, "/callbacks/easemob", request)));
    expect(responses.map((response) => response.status)).toEqual(requests.map(() => 200));
    const { appends, appendTransactions } = service.store.statistics();
    expect(appends).toBe(40);
    expect(appendTransactions).toBeGreaterThan(0);
    expect(appendTransactions).toBeLessThanOrEqual(appends);
    await service.close();

    const reopened = createSqliteStore({ directory });
    try {
      const { events } = await reopened.listEvents({ limit: 1000 });
      expect(events).toHaveLength(40);
      expect(await reopened.countDeliveries()).toEqual([{ sink: "memory", pending: 40, deadLettered: 0 }]);
    } finally {
      await reopened.close();
    }
  });
});
