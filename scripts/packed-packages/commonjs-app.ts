// A CommonJS application of friendhook, compiled by `tsc` as a user's would be: every package
// through `require`, and the Tencent adapter and core through `import()` beside them (their ES
// builds, with a second copy of @friendhook/core), the mix in which friendhook's errors must still be
// recognized. The packaging check (scripts/check-packed-packages.mjs) installs the packed packages
// with npm into a fresh CommonJS project, typechecks this file there, runs it, and reports the first
// promise it finds broken.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FriendhookError, FriendEventSchema, createMemorySink, isFriendhookError } from "@friendhook/core";
import { buildEasemobCallback, createEasemobAdapter } from "@friendhook/easemob";
import { createFriendhookMiddleware } from "@friendhook/express";
import { createHttpSink, verifyStandardWebhook } from "@friendhook/http";
import { createNatsSink } from "@friendhook/nats";
import { createOpenImAdapter, openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { createPostgresSink } from "@friendhook/postgres";
import { createFetchHandler, createReadApi, createReceiver } from "@friendhook/receiver";
import { createNodeHandler } from "@friendhook/receiver/node";
import { createRedisSink } from "@friendhook/redis";
import { createSqliteStore } from "@friendhook/sqlite";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { buildFriendEvent, hostileBodies } from "@friendhook/testkit/helpers";
import express from "express";
import type { ProviderRequest } from "@friendhook/core";

const packages = [
  "@friendhook/core",
  "@friendhook/easemob",
  "@friendhook/express",
  "@friendhook/http",
  "@friendhook/nats",
  "@friendhook/openim",
  "@friendhook/postgres",
  "@friendhook/receiver",
  "@friendhook/receiver/node",
  "@friendhook/redis",
  "@friendhook/sqlite",
  "@friendhook/tencent",
  "@friendhook/testkit/helpers",
];

function step(text: string): void {
  console.log(`ok: ${text}`);
}

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A mistyped option must be refused at construction with a `FriendhookError` this copy recognizes. */
function refusesMistypedOption(name: string, construct: () => unknown): void {
  try {
    construct();
  } catch (error) {
    assert.ok(isFriendhookError(error), `${name}: a mistyped option threw something other than a FriendhookError: ${String(error)}`);
    assert.equal(error.code, "misconfigured");
    return;
  }
  assert.fail(`${name} accepted a mistyped option`);
}

async function main(): Promise<void> {
  for (const name of packages) {
    assert.match(require.resolve(name), /\.cjs$/, `require("${name}") should load the CommonJS build`);
  }
  step("require() loads the CommonJS build of every package");

  assert.throws(() => require.resolve("vitest"), "this project must not have vitest, to show that the helpers need none");
  assert.ok(hostileBodies.length > 0);
  assert.deepEqual(FriendEventSchema.parse(buildFriendEvent()), buildFriendEvent());
  assert.throws(() => require("@friendhook/testkit"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  step("@friendhook/testkit/helpers works without vitest; the suites (@friendhook/testkit) are ES only, as documented");

  const esmCore = await import("@friendhook/core");
  assert.notEqual(esmCore.FriendhookError, FriendhookError, "import() should load the ES build, a second copy of core");
  const foreign = new esmCore.FriendhookError("invalid_signature", "from the ES build");
  assert.ok(isFriendhookError(foreign), "the CommonJS build's isFriendhookError does not recognize an error of the ES build");
  assert.ok(foreign instanceof FriendhookError, "instanceof the CommonJS build's FriendhookError fails for an error of the ES build");
  assert.ok(esmCore.isFriendhookError(new FriendhookError("app_mismatch", "from the CommonJS build")), "the ES build does not recognize an error of the CommonJS build");
  step("a FriendhookError of one build is recognized by the other");

  refusesMistypedOption("createPostgresSink", () => createPostgresSink({ connectionString: "postgres://127.0.0.1/x", tablePrefx: "x_" } as never));
  refusesMistypedOption("createRedisSink", () => createRedisSink({ url: "redis://127.0.0.1:6379", keys: "x" } as never));
  refusesMistypedOption("createNatsSink", () => createNatsSink({ servers: "nats://127.0.0.1:4222", subjekt: "x" } as never));
  refusesMistypedOption("createOpenImAdapter", () => createOpenImAdapter({ tokn: "x" } as never));
  step("the sinks and adapters refuse a mistyped option with a FriendhookError");

  // A receiver on Express with an adapter of each build: Easemob through require, Tencent through import().
  const esmTencent = await import("@friendhook/tencent");
  const directory = mkdtempSync(join(tmpdir(), "friendhook-commonjs-"));
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const webhooks: string[] = [];
  const webhookServer = createServer(async (request, response) => {
    const { id } = verifyStandardWebhook({ body: await readBody(request), headers: request.headers, secret });
    webhooks.push(id);
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => webhookServer.listen(0, "127.0.0.1", resolve));
  const webhookPort = (webhookServer.address() as AddressInfo).port;

  const memory = createMemorySink();
  const store = createSqliteStore({ directory });
  const receiver = createReceiver({
    adapters: {
      easemob: createEasemobAdapter({ secret: "easemob-secret" }),
      tencent: esmTencent.createTencentAdapter({ sdkAppIds: ["1400000000"], token: "tencent-token" }),
    },
    store,
    sinks: [memory, createHttpSink({ url: `http://127.0.0.1:${webhookPort}/webhooks`, secret })],
    delivery: { pollIntervalMs: 50 },
  });
  receiver.start();
  const read = createReadApi({ store, receiver });
  const app = express();
  app.post("/callbacks/easemob", createFriendhookMiddleware(receiver, { adapter: "easemob" }));
  app.post("/callbacks/tencent", createFriendhookMiddleware(receiver, { adapter: "tencent" }));
  // The node:http handler and the Fetch handler of the CommonJS build, each with its routes under a prefix.
  const nodeHandler = createNodeHandler(receiver, { pathPrefix: "/node" });
  app.use((request, response, next) => void nodeHandler(request, response, next));
  const fetchHandler = createFetchHandler(receiver, { pathPrefix: "/fetch" });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = async (path: string, request: ProviderRequest) => {
    const url = new URL(path, base);
    for (const [name, value] of request.query) url.searchParams.append(name, value);
    const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const response = await fetch(url, { method: "POST", headers, body: Buffer.from(request.body) });
    return { status: response.status, body: await response.text() };
  };

  try {
    const accepted = await post("/callbacks/easemob", buildEasemobCallback({ secret: "easemob-secret", operation: "remote_accept", from: "bob", to: "alice" }));
    assert.equal(accepted.status, 200, accepted.body);
    const blocked = tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: "mallory" }] });
    const tencent = await post("/callbacks/tencent", buildTencentCallback({ sdkAppId: "1400000000", token: "tencent-token", body: blocked }));
    assert.equal(tencent.status, 200, tencent.body);
    step("signed callbacks are stored and acknowledged, by adapters of both builds");

    const forged = await post("/callbacks/tencent", buildTencentCallback({ sdkAppId: "1400000000", token: "not-the-token", body: blocked }));
    assert.equal(forged.status, 401, `a wrongly signed callback to the ES build's adapter: ${forged.status} ${forged.body}`);
    assert.match(forged.body, /invalid_signature/);
    const forgedEasemob = await post("/callbacks/easemob", buildEasemobCallback({ secret: "not-the-secret", operation: "remove", from: "bob", to: "alice" }));
    assert.equal(forgedEasemob.status, 401, forgedEasemob.body);
    step("a wrongly signed callback is 401 invalid_signature, whichever build the adapter comes from");

    await waitFor("delivery to the memory sink and the HTTP sink", () => memory.events.length === 3 && webhooks.length === 3);
    assert.deepEqual(await read.friendsOf({ provider: "easemob", appId: "demo#app", userId: "alice" }), { friends: ["bob"], blocked: [] });
    assert.deepEqual(await read.friendsOf({ provider: "tencent", appId: "1400000000", userId: "alice" }), { friends: [], blocked: ["mallory"] });
    step("events reach both sinks (the HTTP sink's webhooks verified) and the friend table, read through the read API");

    const throughNode = await post("/node/easemob", buildEasemobCallback({ secret: "easemob-secret", operation: "remote_accept", from: "carol", to: "alice" }));
    assert.equal(throughNode.status, 200, throughNode.body);
    const fetched = buildEasemobCallback({ secret: "easemob-secret", operation: "remote_accept", from: "dave", to: "alice" });
    const throughFetch = await fetchHandler(new Request(`${base}/fetch/easemob`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from(fetched.body) }));
    assert.equal(throughFetch.status, 200, await throughFetch.text());
    const elsewhere = await fetchHandler(new Request(`${base}/fetch/line`, { method: "POST", body: "{}" }));
    assert.equal(elsewhere.status, 404);
    assert.deepEqual((await read.friendsOf({ provider: "easemob", appId: "demo#app", userId: "alice" })).friends.sort(), ["bob", "carol", "dave"]);
    step("the node:http handler and the Fetch handler route and store callbacks from CommonJS");

    const openIm = createOpenImAdapter();
    const received = await openIm.receive(
      openImCallbackRequest({ body: openImCallbackBodies.afterAddFriendAgree({ fromUserID: "2137563398", toUserID: "6960562805" }) }),
    );
    assert.deepEqual(received.events.map((event) => event.type), ["friend.request.accepted", "friend.added"]);
    step("the OpenIM adapter and its builders work from CommonJS");
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await receiver.close();
    await new Promise((resolve) => webhookServer.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
