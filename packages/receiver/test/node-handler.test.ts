import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeHandler } from "../src/node/index";
import { createProviderReceiver, errorCodeOf, overHttp, providerCallbacks, webRequestOf } from "./provider-callbacks";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("createNodeHandler", () => {
  it("as a request listener, answers a path that is no callback route 404 route_not_found", async () => {
    const { receiver } = createProviderReceiver();
    const base = await serve(createNodeHandler(receiver));
    const answer = await overHttp(webRequestOf(base, providerCallbacks.easemob(), "/webhooks/line"));
    expect([answer.status, errorCodeOf(answer)]).toEqual([404, "route_not_found"]);
  });

  it("as middleware, passes every request for none of its routes on to next, unread", async () => {
    const { receiver, read } = createProviderReceiver();
    const handler = createNodeHandler(receiver);
    const base = await serve((request, response) => {
      void handler(request, response, () => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => response.end(`the application's ${request.url}: ${body.length} bytes`));
      });
    });
    const callback = providerCallbacks.easemob();
    expect((await overHttp(webRequestOf(base, callback))).status).toBe(200);
    const other = await overHttp(webRequestOf(base, callback, "/notes"));
    expect([other.status, other.body]).toEqual([200, `the application's /notes: ${callback.body.byteLength} bytes`]);
    expect((await overHttp(webRequestOf(base, callback, "/webhooks/line"))).body).toBe(`the application's /webhooks/line: ${callback.body.byteLength} bytes`);
    expect((await read.events()).events).toHaveLength(2);
  });

  it("routes by request.url under a router that mounted it, and gives the adapter the URL as sent (originalUrl)", async () => {
    const { receiver, read } = createProviderReceiver();
    const handler = createNodeHandler(receiver);
    const base = await serve((request: IncomingMessage & { originalUrl?: string }, response) => {
      // What Express and Connect do for `app.use("/im", handler)`.
      request.originalUrl = request.url;
      request.url = (request.url ?? "/").replace(/^\/im/, "");
      void handler(request, response, () => response.writeHead(418).end());
    });
    const openim = providerCallbacks.openim();
    const mounted = await overHttp(webRequestOf(base, openim, `/im${openim.path}`));
    expect(mounted.status).toBe(200);
    expect((await read.events()).events.map((event) => event.type)).toEqual(["friend.request.accepted", "friend.added"]);
    // The command in the path as sent is checked against the body's.
    const mismatch = await overHttp(webRequestOf(base, openim, "/im/webhooks/openim/callbackAfterDeleteFriendCommand"));
    expect([mismatch.status, errorCodeOf(mismatch)]).toEqual([400, "command_mismatch"]);
  });

  it("serves one adapter whatever the path when given adapter", async () => {
    const { receiver, read } = createProviderReceiver();
    const base = await serve(createNodeHandler(receiver, { adapter: "tencent" }));
    expect((await overHttp(webRequestOf(base, providerCallbacks.tencent(), "/im/tencent-callbacks"))).status).toBe(200);
    expect((await read.events()).events.map((event) => event.type)).toEqual(["friend.blocked"]);
  });

  it("takes the raw bytes a parser that ran first kept as request.rawBody, and says what to change when it kept none", async () => {
    const { receiver, read } = createProviderReceiver();
    const handler = createNodeHandler(receiver);
    let keep = true;
    const base = await serve((request: IncomingMessage & { body?: unknown; rawBody?: Buffer }, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const raw = Buffer.concat(chunks);
        request.body = JSON.parse(raw.toString("utf8"));
        if (keep) request.rawBody = raw;
        void handler(request, response);
      });
    });
    expect((await overHttp(webRequestOf(base, providerCallbacks.tencent("mallory")))).status).toBe(200);
    keep = false;
    const consumed = await overHttp(webRequestOf(base, providerCallbacks.tencent("erin")));
    expect([consumed.status, errorCodeOf(consumed)]).toEqual([500, "misconfigured"]);
    expect(consumed.body).toContain("rawBody");
    expect((await read.events()).events.map((event) => event.target)).toEqual(["mallory"]);
  });

  it("refuses a kept raw body over the limit with 413", async () => {
    const { receiver } = createProviderReceiver();
    const handler = createNodeHandler(receiver, { bodyLimitBytes: 16 });
    const base = await serve((request: IncomingMessage & { rawBody?: Buffer }, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        request.rawBody = Buffer.concat(chunks);
        void handler(request, response);
      });
    });
    const answer = await overHttp(webRequestOf(base, providerCallbacks.tencent()));
    expect([answer.status, errorCodeOf(answer)]).toEqual([413, "body_too_large"]);
  });
});
