import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProviderRequest, type FriendEvent, isFriendhookError, type ProviderResponse } from "@friendhook/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildTencentCallback, createTencentAdapter, signTencentRequest } from "../src/index";
import { fixture, sdkAppId, token } from "./support";

// The README's node:http example, collecting events instead of logging them.
function startServer(received: FriendEvent[]): Server {
  const tencent = createTencentAdapter({
    sdkAppIds: [sdkAppId],
    token,
    decide: ({ stage, message }) =>
      stage === "request" && message?.includes("http://") ? { allow: false, code: 38001, reason: "no links in requests" } : { allow: true },
  });
  return createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? "/", "http://localhost");
    let answer: ProviderResponse;
    try {
      const callback = await tencent.receive(
        createProviderRequest({
          method: request.method,
          path: url.pathname,
          query: url.searchParams,
          headers: { "content-type": request.headers["content-type"] },
          body: Buffer.concat(chunks),
        }),
      );
      received.push(...callback.events);
      answer = callback.acknowledgement;
    } catch (error) {
      if (!isFriendhookError(error)) throw error;
      answer = tencent.refuse(error);
    }
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
}

describe("behind a real node:http server", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    if (server) await once(server, "close");
    server = undefined;
  });

  async function listen(received: FriendEvent[]): Promise<string> {
    server = startServer(received);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tencent/callback`;
  }

  it("answers a signed callback with OK and yields its events", async () => {
    const received: FriendEvent[] = [];
    const base = await listen(received);
    const request = buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackFriendDelete", body: fixture("real-traffic-friend-delete.json") });
    const response = await fetch(`${base}?${request.query}`, { method: "POST", headers: { "content-type": "application/json" }, body: request.body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    expect(received.map((event) => [event.type, event.actor, event.target])).toEqual([
      ["friend.removed", "211172", "425214"],
      ["friend.removed", "425214", "211172"],
    ]);
  });

  it("answers a before-callback with the policy's ResultItem", async () => {
    const received: FriendEvent[] = [];
    const base = await listen(received);
    const body = {
      CallbackCommand: "Sns.CallbackPrevFriendAdd",
      From_Account: "alice",
      FriendItem: [
        { To_Account: "bob", AddWording: "hi, it's Alice" },
        { To_Account: "carol", AddWording: "win big at http://example.invalid" },
      ],
    };
    const requestTime = Math.floor(Date.now() / 1000);
    const query = new URLSearchParams({ SdkAppid: sdkAppId, CallbackCommand: body.CallbackCommand, contenttype: "json", Sign: signTencentRequest(token, requestTime), RequestTime: String(requestTime) });
    const response = await fetch(`${base}?${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(await response.json()).toEqual({
      ActionStatus: "OK",
      ErrorCode: 0,
      ErrorInfo: "",
      ResultItem: [
        { To_Account: "bob", ResultCode: 0, ResultInfo: "" },
        { To_Account: "carol", ResultCode: 38001, ResultInfo: "no links in requests" },
      ],
    });
    expect(received.map((event) => [event.type, event.target])).toEqual([["friend.request.sent", "bob"]]);
  });

  it("refuses a forged callback with 401 and Tencent's FAIL body", async () => {
    const received: FriendEvent[] = [];
    const base = await listen(received);
    const request = buildTencentCallback({ sdkAppId, token: "forged", command: "Sns.CallbackFriendAdd", body: fixture("seed-003-friend-add.json") });
    const response = await fetch(`${base}?${request.query}`, { method: "POST", headers: { "content-type": "application/json" }, body: request.body });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      ActionStatus: "FAIL",
      ErrorCode: 1,
      ErrorInfo: "invalid_signature: Sign does not match any configured token and RequestTime.",
    });
    expect(received).toEqual([]);
  });
});
