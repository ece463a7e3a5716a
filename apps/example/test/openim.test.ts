import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, request, startApp } from "./support/running-app";

const token = "test-openim-token-51c0e2";
const openImProvider = { OPENIM_TOKEN: token, OPENIM_APP_ID: "openim-test" };

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(variables: Record<string, string> = openImProvider) {
  const app = await startApp(variables);
  running.push(app);
  return app;
}

/** A callback as OpenIM posts it: to `/webhooks/openim/<callbackCommand>`, its token in the URL's user info (Basic). */
function openIm(body: Readonly<Record<string, unknown>>, operationId: string, presented: string | null = token) {
  return openImCallbackRequest({ body, operationId, ...(presented === null ? {} : { token: presented, tokenScheme: "basic" as const }) });
}

const allowed = { actionCode: 0, errCode: 0, errMsg: "", errDlt: "", nextCode: 0 };

describe("OpenIM through the app", () => {
  it("answers the before-callbacks, stores each fact once, and keeps the friend table", async () => {
    const app = await start();
    const request1 = { fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob" };
    const answers = [
      await sendCallback(app.url, "openim", openIm(openImCallbackBodies.beforeAddFriend(request1), "op-request")),
      // The after-callback of the same API call (same operationID): the same event, stored once.
      await sendCallback(app.url, "openim", openIm(openImCallbackBodies.afterAddFriend(request1), "op-request")),
      await sendCallback(app.url, "openim", openIm(openImCallbackBodies.beforeAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), "op-agree")),
      await sendCallback(app.url, "openim", openIm(openImCallbackBodies.afterAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), "op-agree")),
      await sendCallback(app.url, "openim", openIm(openImCallbackBodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "erin" }), "op-block")),
    ];
    for (const answer of answers) expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 200, body: allowed });

    const events = (await request(`${app.url}/api/events`)).body.events as Array<Record<string, unknown>>;
    expect(events.map((event) => [event.type, event.actor, event.target, event.appId])).toEqual([
      ["friend.request.sent", "alice", "bob", "openim-test"],
      ["friend.request.accepted", "bob", "alice", "openim-test"],
      ["friend.added", "bob", "alice", "openim-test"],
      ["friend.blocked", "alice", "erin", "openim-test"],
    ]);
    expect((await request(`${app.url}/api/friends?provider=openim&appId=openim-test&userId=alice`)).body).toEqual({
      friends: ["bob"],
      blocked: ["erin"],
    });
    expect((await request(`${app.url}/api/friends?provider=openim&appId=openim-test&userId=bob`)).body).toEqual({
      friends: ["alice"],
      blocked: [],
    });
    const metrics = (await request(`${app.url}/metrics`)).body as string;
    expect(metrics).toContain('friendhook_callbacks_total{provider="openim",outcome="stored"} 4');
    expect(metrics).toContain('friendhook_callbacks_total{provider="openim",outcome="duplicate"} 1');
    expect(metrics).toContain('route="/webhooks/openim{/*command}",status_code="200"} 5');
  });

  it("takes callbacks on the bare webhook URL too, and keeps other families as unrecognized", async () => {
    const app = await start();
    const bare = openImCallbackRequest({
      body: openImCallbackBodies.afterImportFriends({ ownerUserID: "alice", friendUserIDs: ["carol"] }),
      pathCommand: null,
      token,
    });
    expect((await sendCallback(app.url, "openim", bare)).status).toBe(200);
    const group = openIm({ callbackCommand: "callbackAfterCreateGroupCommand", groupID: "g-1" }, "op-group");
    expect((await sendCallback(app.url, "openim", group)).status).toBe(200);

    expect((await request(`${app.url}/api/friends?provider=openim&appId=openim-test&userId=carol`)).body.friends).toEqual(["alice"]);
    const unrecognized = (await request(`${app.url}/api/unrecognized`)).body.unrecognized as Array<{ provider: string; command: string }>;
    expect(unrecognized.map((record) => `${record.provider} ${record.command}`)).toEqual(["openim callbackAfterCreateGroupCommand"]);
  });

  it("refuses a callback without the token, or with another, in OpenIM's format, and stores nothing", async () => {
    const app = await start();
    const body = openImCallbackBodies.afterAddFriendAgree({ fromUserID: "mallory", toUserID: "bob" });
    const missing = await sendCallback(app.url, "openim", openIm(body, "op-1", null));
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ errCode: expect.any(Number), nextCode: 1 });
    expect(missing.body).toContain("missing_signature");
    const wrong = await sendCallback(app.url, "openim", openIm(body, "op-2", "not-the-token"));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain("invalid_signature");
    expect(wrong.body).not.toContain(token);
    expect((await request(`${app.url}/api/events`)).body.events).toEqual([]);
  });

  it("refuses a path naming another command than the body, and a GET", async () => {
    const app = await start();
    const mismatch = openImCallbackRequest({
      body: openImCallbackBodies.afterDeleteFriend({ ownerUserID: "alice", friendUserID: "bob" }),
      pathCommand: "callbackAfterAddFriendAgreeCommand",
      token,
    });
    const answer = await sendCallback(app.url, "openim", mismatch);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("command_mismatch");
    const get = await fetch(`${app.url}/webhooks/openim/callbackAfterAddFriendCommand`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("answers 503 provider_not_configured while OpenIM is not turned on", async () => {
    const app = await start({ EASEMOB_SECRET: "an-easemob-secret" });
    const answer = await sendCallback(app.url, "openim", openIm(openImCallbackBodies.afterAddFriend({ fromUserID: "a", toUserID: "b" }), "op-1"));
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: "provider_not_configured", message: "OpenIM callbacks are not configured on this receiver; set OPENIM_ENABLED=true." },
    });
  });
});
