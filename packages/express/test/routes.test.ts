import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { createFriendhookMiddleware } from "../src/index";
import { easemobSecret, sdkAppId, send, startService, tencentToken } from "./support";

const easemob = (from: string) => buildEasemobCallback({ secret: easemobSecret, operation: "remote_accept", from, to: "alice", appKey: "demo#app" });
const tencent = (target: string) =>
  buildTencentCallback({ sdkAppId, token: tencentToken, body: tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: target }] }) });

describe("createFriendhookMiddleware without an adapter", () => {
  it("serves /webhooks/{adapter} for every adapter and passes every other request on to the application", async () => {
    const service = await startService({
      mount: (app, receiver) => {
        app.use(createFriendhookMiddleware(receiver));
        app.use((request, response) => {
          response.status(404).json({ handledBy: "the application", path: request.path });
        });
      },
    });
    expect((await send(service.url, "/webhooks/easemob", easemob("bob"))).status).toBe(200);
    expect((await send(service.url, "/webhooks/tencent", tencent("mallory"))).status).toBe(200);
    const get = await send(service.url, "/webhooks/easemob", { ...easemob("bob"), method: "GET" });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    for (const path of ["/webhooks/line", "/callbacks/easemob", "/webhooks/easemob/more/segments"]) {
      const other = await send(service.url, path, easemob("carol"));
      expect([other.status, JSON.parse(other.body)]).toEqual([404, { handledBy: "the application", path }]);
    }
    expect((await service.read.events()).events.map((event) => `${event.provider} ${event.type}`)).toEqual([
      "easemob friend.request.accepted",
      "easemob friend.added",
      "tencent friend.blocked",
    ]);
  });

  it("routes relative to where it is mounted, with pathPrefix", async () => {
    const service = await startService({ mount: (app, receiver) => app.use("/im", createFriendhookMiddleware(receiver, { pathPrefix: "" })) });
    expect((await send(service.url, "/im/tencent", tencent("mallory"))).status).toBe(200);
    // Outside the mount point, Express's own 404.
    const elsewhere = await send(service.url, "/tencent", tencent("erin"));
    expect([elsewhere.status, elsewhere.body]).toEqual([404, expect.stringContaining("Cannot POST /tencent")]);
    expect((await service.read.friendsOf({ provider: "tencent", appId: sdkAppId, userId: "alice" })).blocked).toEqual(["mallory"]);
  });
});
