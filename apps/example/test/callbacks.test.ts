import { randomBytes } from "node:crypto";
import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { describeWithService } from "@friendhook/testkit";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials } from "./support/running-app";

const { easemobSecret, easemobAppKey, tencentSdkAppId, tencentToken } = testCredentials;
const jid = (user: string) => `${easemobAppKey}_${user}@easemob.com`;

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start() {
  const app = await startApp(bothProviders);
  running.push(app);
  return app;
}

interface KeptCallback {
  id: string;
  provider: string;
  command: string;
  body: string;
  unrecognizedReason?: string;
}

/** The same signed `callId`, `timestamp` and `security`, with a body the signature never covered. */
function forgedFrom(request: ProviderRequest, changes: Record<string, unknown>): ProviderRequest {
  const body = { ...JSON.parse(Buffer.from(request.body).toString("utf8")), ...changes };
  return { ...request, body: new TextEncoder().encode(JSON.stringify(body)) };
}

describe("Easemob replay forgery", () => {
  const friendsOf = async (url: string, userId: string) =>
    (await request(`${url}/api/friends?provider=easemob&appId=${encodeURIComponent(easemobAppKey)}&userId=${userId}`)).body;

  it("refuses a captured signature replayed with another body with 401 signature_reused, and stores nothing of it", async () => {
    const app = await start();
    const add = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "add", from: jid("alice"), to: "bob", reason: "hi" });
    expect((await sendCallback(app.url, "easemob", add)).status).toBe(200);
    const events = (await request(`${app.url}/api/events`)).body.events;
    const callbacks = [];
    for (const event of events) callbacks.push((await request(`${app.url}/api/events/${event.id}/callback`)).body.callback);

    // Another pair, another operation: each answered 200 before bindings.
    for (const changes of [{ to: "carol" }, { from: jid("mallory") }, { payload: { operation: "remove", roster_ver: "1" } }]) {
      const answer = await sendCallback(app.url, "easemob", forgedFrom(add, changes));
      expect(answer.status, JSON.stringify(changes)).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "signature_reused" } });
    }
    expect((await request(`${app.url}/api/events`)).body.events).toEqual(events);
    const kept = [];
    for (const event of events) kept.push((await request(`${app.url}/api/events/${event.id}/callback`)).body.callback);
    expect(kept).toEqual(callbacks);
    expect((await request(`${app.url}/api/unrecognized`)).body.unrecognized).toEqual([]);
    // Easemob's own retry of the real callback is still welcome.
    expect((await sendCallback(app.url, "easemob", add)).status).toBe(200);
  });

  it("keeps a forged copy of an answer from changing anything: the same signature stands for the same events", async () => {
    const app = await start();
    const accept = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "accept", from: jid("alice"), to: "bob" });
    expect((await sendCallback(app.url, "easemob", accept)).status).toBe(200);
    const events = (await request(`${app.url}/api/events`)).body.events;
    // An answer binds its command and message id only (its two views name the pair differently);
    // a body that names other users makes the same event ids, which are stored already.
    expect((await sendCallback(app.url, "easemob", forgedFrom(accept, { from: jid("mallory"), to: "carol" }))).status).toBe(200);
    expect((await request(`${app.url}/api/events`)).body.events).toEqual(events);
    expect(await friendsOf(app.url, "carol")).toEqual({ friends: [], blocked: [] });
    expect(await friendsOf(app.url, "mallory")).toEqual({ friends: [], blocked: [] });
    expect(await friendsOf(app.url, "alice")).toEqual({ friends: ["bob"], blocked: [] });
    // Another operation under that signature is another action: refused.
    expect((await sendCallback(app.url, "easemob", forgedFrom(accept, { payload: { operation: "remove", roster_ver: "1" } }))).status).toBe(401);
    expect(await friendsOf(app.url, "alice")).toEqual({ friends: ["bob"], blocked: [] });
  });
});

describe("the read API: kept callbacks", () => {
  it("leads from each event to the callback it came from, kept once, without Easemob's signature", async () => {
    const app = await start();
    const acceptance = { messageId: "966725899779049516", timestamp: Date.now() };
    const accept = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "accept", from: jid("alice"), to: "bob", ...acceptance });
    const security = JSON.parse(Buffer.from(accept.body).toString("utf8")).security as string;
    const remoteAccept = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "remote_accept", from: jid("bob"), to: "alice", ...acceptance });
    const block = buildTencentCallback({
      sdkAppId: tencentSdkAppId,
      command: "Sns.CallbackBlackListAdd",
      token: tencentToken,
      body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "alice", To_Account: "dave" }], RequestId: "req-1" },
    });
    for (const [provider, callback] of [["easemob", accept], ["easemob", remoteAccept], ["tencent", block], ["tencent", block]] as const) {
      expect((await sendCallback(app.url, provider, callback)).status).toBe(200);
    }

    const events = (await request(`${app.url}/api/events`)).body.events as Array<{ id: string; provider: string; type: string }>;
    const sources: KeptCallback[] = [];
    for (const event of events) {
      const answer = await request(`${app.url}/api/events/${event.id}/callback`);
      expect(answer.status, `${event.provider} ${event.type}`).toBe(200);
      sources.push(answer.body.callback);
    }
    // The accept made both Easemob events; the remote_accept, another view of it, made none of its own.
    expect(sources.map((source) => `${source.provider} ${source.command}`)).toEqual(["easemob roster:accept", "easemob roster:accept", "tencent Sns.CallbackBlackListAdd"]);
    expect(JSON.parse(sources[0]?.body ?? "{}")).toMatchObject({ msg_id: acceptance.messageId, payload: { operation: "accept" } });
    expect(JSON.parse(sources[0]?.body ?? "{}")).not.toHaveProperty("security");
    expect(sources[2]?.body).toBe(Buffer.from(block.body).toString("utf8"));
    expect(sources.every((source) => source.unrecognizedReason === undefined)).toBe(true);

    const byId = await request(`${app.url}/api/callbacks/${sources[2]?.id}`);
    expect(byId).toMatchObject({ status: 200, body: { callback: sources[2] } });
    const all = JSON.stringify([sources, byId.body]);
    expect(all).not.toContain(security);
  });

  it("answers 404 not_found for a callback or an event it does not know", async () => {
    const app = await start();
    for (const path of ["/api/callbacks/cb_00000000000000000000000000000000", "/api/events/evt_unknown/callback", `/api/callbacks/${"x".repeat(5000)}`]) {
      const answer = await request(`${app.url}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("lists unrecognized callbacks with their reason", async () => {
    const app = await start();
    const mute = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "mute", from: jid("alice"), to: "bob" });
    expect((await sendCallback(app.url, "easemob", mute)).status).toBe(200);
    const [kept] = (await request(`${app.url}/api/unrecognized`)).body.unrecognized as KeptCallback[];
    expect(kept).toMatchObject({ provider: "easemob", command: "roster:mute", unrecognizedReason: expect.stringMatching(/./) });
    expect((await request(`${app.url}/api/callbacks/${kept?.id}`)).body.callback).toEqual(kept);
  });
});

describeWithService(
  "poison input on the PostgreSQL store",
  5432,
  () => {
    const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const schema = `friendhook_poison_${randomBytes(6).toString("hex")}`;
    afterAll(async () => {
      const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.end();
    });

    it("answers a NUL or an overlong user id, and a NUL in a friend request message, with 400: never a 503 the provider would retry for ever", async () => {
      const app = await startApp({ ...bothProviders, FRIENDHOOK_STORE: `${databaseUrl}?schema=${schema}` });
      running.push(app);
      await app.application.ready();
      const block = (from: string, to: string, requestId: string) =>
        buildTencentCallback({
          sdkAppId: tencentSdkAppId,
          command: "Sns.CallbackBlackListAdd",
          token: tencentToken,
          body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: from, To_Account: to }], RequestId: requestId },
        });
      const poisoned = [
        ["tencent", block("ali\u0000ce", "bob", "nul-user")],
        ["tencent", block("alice", "b".repeat(100_000), "long-user")],
        [
          "tencent",
          buildTencentCallback({
            sdkAppId: tencentSdkAppId,
            command: "Sns.CallbackPrevFriendAdd",
            token: tencentToken,
            body: {
              CallbackCommand: "Sns.CallbackPrevFriendAdd",
              Requester_Account: "alice",
              From_Account: "alice",
              FriendItem: [{ To_Account: "bob", AddWording: "hello\u0000bob" }],
              AddType: "Add_Type_Both",
              ForceAddFlags: 0,
              EventTime: Date.now(),
            },
          }),
        ],
        ["easemob", buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "add", from: jid("alice"), to: "bob", reason: "hi\u0000" })],
      ] as const;
      for (const [provider, callback] of poisoned) {
        const answer = await sendCallback(app.url, provider, callback);
        expect(answer.status, `${provider} ${answer.body}`).toBe(400);
      }
      expect((await request(`${app.url}/api/events`)).body.events).toEqual([]);
      expect((await request(`${app.url}/api/unrecognized`)).body.unrecognized).toEqual([]);
      expect((await sendCallback(app.url, "tencent", block("alice", "bob", "clean"))).status).toBe(200);
      expect((await request(`${app.url}/api/events`)).body.events).toHaveLength(1);
    });

    it("lets one signature in on one of two instances sharing the store: the real body or the forged one, never both", async () => {
      const variables = { ...bothProviders, FRIENDHOOK_STORE: `${databaseUrl}?schema=${schema}_replay` };
      const instances = [await startApp(variables), await startApp(variables)];
      running.push(...instances);
      for (const instance of instances) await instance.application.ready();
      try {
        for (let round = 0; round < 5; round += 1) {
          const add = buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation: "add", from: jid(`alice-${round}`), to: "bob" });
          const forged = forgedFrom(add, { from: jid(`mallory-${round}`) });
          const answers = await Promise.all([
            sendCallback(instances[0]?.url ?? "", "easemob", add),
            sendCallback(instances[1]?.url ?? "", "easemob", forged),
          ]);
          expect(answers.map((answer) => answer.status).sort(), `round ${round}`).toEqual([200, 401]);
        }
        const events = (await request(`${instances[1]?.url}/api/events?limit=1000`)).body.events as Array<{ actor: string; target: string }>;
        // Each round stored the events of exactly one of the two bodies.
        const pairs = events.map((event) => [event.actor, event.target].sort().join(" "));
        for (let round = 0; round < 5; round += 1) {
          const real = pairs.some((pair) => pair.includes(`alice-${round}`));
          const forgedStored = pairs.some((pair) => pair.includes(`mallory-${round}`));
          expect(real !== forgedStored, `round ${round}`).toBe(true);
        }
      } finally {
        const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
        await Promise.all(instances.map((instance) => instance.stop()));
        await database.query(`DROP SCHEMA IF EXISTS "${schema}_replay" CASCADE`);
        await database.end();
      }
    });
  },
);
