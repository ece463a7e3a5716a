import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { serve } from "@hono/node-server";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../src/index";
import { createNodeHandler } from "../src/node/index";
import { eventually } from "./support";
import { createProviderReceiver, expectEveryProviderEndToEnd, overHttp, type ProviderReceiver, providerCallbacks, webRequestOf } from "./provider-callbacks";

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

async function listening(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  closing.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("every provider's signed callbacks, end to end, through each framework", () => {
  it("a Hono app on @hono/node-server, with the Fetch handler", async () => {
    const provider = createProviderReceiver();
    const handleCallback = createFetchHandler(provider.receiver);
    const app = new Hono();
    app.all("/webhooks/*", (context) => handleCallback(context.req.raw));
    app.get("/", (context) => context.text("the application's own route"));
    const base = await listening(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);

    await expectEveryProviderEndToEnd(base, overHttp, provider);
    expect(await (await fetch(base)).text()).toBe("the application's own route");
  });

  it("a plain node:http server, with the node handler", async () => {
    const provider = createProviderReceiver();
    const base = await listening(createServer(createNodeHandler(provider.receiver)).listen(0, "127.0.0.1"));

    await expectEveryProviderEndToEnd(base, overHttp, provider);
  });

  it("a Fastify route, handing the node handler the raw request, its body unread", async () => {
    const provider = createProviderReceiver();
    const handleCallback = createNodeHandler(provider.receiver);
    const app = Fastify();
    await app.register(async (webhooks) => {
      // Fastify would parse the body, and refuse content types it has no parser for: in this scope
      // no parser reads it, so that the handler reads the raw bytes itself.
      webhooks.removeAllContentTypeParsers();
      webhooks.addContentTypeParser("*", (_request, _payload, done) => done(null));
      webhooks.all("/webhooks/*", async (request, reply) => {
        reply.hijack();
        await handleCallback(request.raw, reply.raw);
      });
    });
    app.post("/notes", async (request) => ({ parsed: request.body }));
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    closing.push(() => app.close());

    await expectEveryProviderEndToEnd(address, overHttp, provider);
    // The application's other routes keep Fastify's JSON parser.
    const notes = await fetch(`${address}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(await notes.json()).toEqual({ parsed: { a: 1 } });
  });

  it("a Next.js App Router route handler (export const POST), called with a Request", async () => {
    const provider = createProviderReceiver();
    // app/webhooks/[...path]/route.ts: `export const POST = createFetchHandler(receiver);`
    const route = { POST: createFetchHandler(provider.receiver) };
    const send = async (request: Request) => {
      // Next.js answers a method the route does not export with 405 itself; POST goes to the handler.
      const response = request.method === "POST" ? await route.POST(request) : new Response(null, { status: 405, headers: { allow: "POST" } });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };

    await expectEveryProviderEndToEnd("https://app.example.com", send, provider);
    // Whatever method reaches it, the handler itself answers 405 with Allow: POST.
    const get = await route.POST(webRequestOf("https://app.example.com", providerCallbacks.easemob(), "/webhooks/easemob", "GET"));
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });
});

interface StalledUpload {
  /** Everything the server sent, once it closed the connection. */
  readonly answer: Promise<string>;
  end(): void;
}

/**
 * Opens a connection, sends a callback's head for a body of `declaredLength` bytes and the first
 * `sentBytes` of it, then stalls.
 */
function stalledUpload(base: string, path: string, declaredLength: number, sentBytes: number): StalledUpload {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = "";
  const answer = new Promise<string>((resolve) => {
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
    });
    for (const event of ["end", "close", "error"]) socket.on(event, () => resolve(received));
  });
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n`);
  socket.write("x".repeat(sentBytes));
  return { answer, end: () => socket.destroy() };
}

const statusLine = (answer: string) => answer.slice(0, answer.indexOf("\r\n"));
const headerOf = (answer: string, name: string) => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, "i").exec(answer)?.[1];

// Far longer than a test: a held upload must still be held when the next one arrives, however busy
// the machine (a shorter deadline could answer it 408 and free the budget in between).
const bodyTimeoutMs = 60_000;

const servers: Record<string, (provider: ProviderReceiver) => Promise<string>> = {
  "Hono on @hono/node-server": async ({ receiver }) => {
    const handleCallback = createFetchHandler(receiver, { bodyTimeoutMs });
    const app = new Hono();
    app.all("/webhooks/*", (context) => handleCallback(context.req.raw));
    return listening(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
  },
  "node:http": async ({ receiver }) => listening(createServer(createNodeHandler(receiver, { bodyTimeoutMs })).listen(0, "127.0.0.1")),
};

describe.each(Object.keys(servers))("a stalled upload on a real socket, %s", (name) => {
  const start = servers[name] as (provider: ProviderReceiver) => Promise<string>;

  it("is refused from its head at once when forged (403), and the connection closed", async () => {
    const provider = createProviderReceiver();
    const base = await start(provider);
    const forged = new URL(webRequestOf(base, providerCallbacks.tencent("victim", "1400000009")).url);
    const answer = await stalledUpload(base, `${forged.pathname}${forged.search}`, 900_000, 1024).answer;
    expect(statusLine(answer)).toBe("HTTP/1.1 403 Forbidden");
    expect(answer).toContain("app_mismatch");
    expect(headerOf(answer, "connection")).toBe("close");
    expect((await provider.read.events()).events).toEqual([]);
  });

  it("is refused 503 receiver_busy when it does not fit the budget beside another, and the connection closed", async () => {
    const provider = createProviderReceiver({ maximumBodyBytesInFlight: 64 * 1024 });
    const { bodyBudget } = provider.receiver;
    const base = await start(provider);
    const signed = new URL(webRequestOf(base, providerCallbacks.tencent("bob")).url);
    const path = `${signed.pathname}${signed.search}`;
    const holding = stalledUpload(base, path, 60 * 1024, 40 * 1024);
    await eventually(() => bodyBudget.bytesInFlight >= 40 * 1024, "the first upload's bytes are read");
    expect(bodyBudget.bytesInFlight).toBe(40 * 1024);

    const answer = await stalledUpload(base, path, 30 * 1024, 1024).answer;
    expect(statusLine(answer)).toBe("HTTP/1.1 503 Service Unavailable");
    expect([headerOf(answer, "retry-after"), headerOf(answer, "connection")]).toEqual(["1", "close"]);
    expect(answer).toContain("receiver_busy");
    holding.end();
    await holding.answer;
    await eventually(() => bodyBudget.bytesInFlight === 0, "the budget is given back");
  });
});
