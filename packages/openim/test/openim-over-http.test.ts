import { type FriendEvent, createProviderRequest, isFriendhookError } from "@friendhook/core";
import { type IncomingMessage, type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenImAdapter } from "../src/index";
import { openImBodies } from "./fixtures";

const token = "openim-over-http-token";

/**
 * The smallest receiver: a real HTTP server that hands the raw request to the adapter, as
 * friendhook's framework shells do. It shows what OpenIM's own client sends arrives intact.
 */
function startReceiver(received: FriendEvent[]): Promise<Server> {
  const adapter = createOpenImAdapter({ token });
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? "/", "http://receiver");
    const headers = Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]));
    const request = createProviderRequest({ method: incoming.method, path: url.pathname, query: url.searchParams, headers, body: Buffer.concat(chunks) });
    const response = await adapter.receive(request).then(
      (callback) => {
        received.push(...callback.events);
        return callback.acknowledgement;
      },
      (error: unknown) => (isFriendhookError(error) ? adapter.refuse(error) : { status: 500, headers: {}, body: "" }),
    );
    outgoing.writeHead(response.status, response.headers).end(response.body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Posted {
  readonly status: number;
  readonly body: string;
}

/** Posts the way OpenIM's Go client does: `{url}/{command}`, the operationID header, Basic auth from the URL's user info. */
function postLikeOpenIm(server: Server, command: string, body: string, auth: string | undefined): Promise<Posted> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/webhooks/openim/${command}`,
        ...(auth === undefined ? {} : { auth }),
        headers: { operationID: "1721030447953426113", "Content-Type": "application/json; charset=utf-8" },
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe("OpenIM callbacks over HTTP", () => {
  const received: FriendEvent[] = [];
  let server: Server;

  beforeAll(async () => {
    server = await startReceiver(received);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("accepts a callback whose webhook URL carries the token as user info", async () => {
    const posted = await postLikeOpenIm(server, "callbackAfterAddFriendAgreeCommand", openImBodies.afterAddFriendAgree, `friendhook:${token}`);
    expect(posted).toEqual({ status: 200, body: '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}' });
    expect(received.map((event) => event.type)).toEqual(["friend.request.accepted", "friend.added"]);
    expect(received[0]?.source).toEqual({ command: "callbackAfterAddFriendAgreeCommand", operationId: "1721030447953426113" });
  });

  it("answers a callback without the token with 401 and a body that stops a before-callback", async () => {
    const posted = await postLikeOpenIm(server, "callbackBeforeAddFriendCommand", openImBodies.beforeAddFriend, undefined);
    expect(posted.status).toBe(401);
    expect(JSON.parse(posted.body)).toMatchObject({ actionCode: 0, nextCode: 1, errCode: 80000 });
    expect(posted.body).not.toContain(token);
  });
});
