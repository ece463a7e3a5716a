// Sends signed callbacks to a README's server example, as the provider would, and checks the
// answers. It runs inside the packaging check's ES module project, with the packed packages as npm
// installed them: `node exercise-server.mjs <exercise> <base URL>`, or, for a route-handler module
// (a Next.js route.ts), `node exercise-server.mjs <exercise> <module file URL>`: the requests then go
// to the module's exported POST, as Next.js would call it. The secrets are the ones the check puts
// in the example's environment (see example-runs.mjs).
import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";

const [exerciseName, target] = process.argv.slice(2);
const route = target.startsWith("file:") ? await import(target) : undefined;
const baseUrl = route ? "https://app.example.com" : target;

/** Calls a route module as Next.js does: its export for the method, else Next.js's own 405. */
async function callRoute(request) {
  const handler = route[request.method];
  return typeof handler === "function" ? handler(request) : new Response(null, { status: 405, headers: { allow: "POST" } });
}

/** Sends a `ProviderRequest` (what the adapters' builders make) to the server, as the provider would. */
async function send(request, path = request.path, method = request.method) {
  const url = new URL(path, baseUrl);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([, value]) => value !== undefined));
  const hasBody = method !== "GET" && method !== "HEAD";
  const webRequest = new Request(url, { method, headers, ...(hasBody && { body: request.body }) });
  const response = route ? await callRoute(webRequest) : await fetch(webRequest);
  return { status: response.status, body: await response.text() };
}

/**
 * Every provider's signed callbacks at `/webhooks/{adapter}` (OpenIM's at its command's URL), as the
 * receiver's README examples take them, with the secrets of example-runs.mjs; forged ones refused.
 */
async function everyProvider() {
  const easemob = (secret, from) => buildEasemobCallback({ secret, operation: "remote_accept", from, to: "alice" });
  expectAnswer("a signed Easemob callback", await send(easemob("check-easemob-secret", "bob"), "/webhooks/easemob"), 200);
  expectAnswer("an Easemob callback signed with another secret", await send(easemob("not-the-secret", "mallory"), "/webhooks/easemob"), 401, [
    "invalid_signature",
  ]);
  const blocked = tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: "mallory" }] });
  const tencent = (token) => buildTencentCallback({ sdkAppId: "1400000000", token, body: blocked, path: "/webhooks/tencent" });
  expectAnswer("a signed Sns.CallbackBlackListAdd", await send(tencent("check-tencent-token")), 200, ['"ActionStatus":"OK"']);
  expectAnswer("a Tencent callback signed with another token", await send(tencent("not-the-token")), 401, ["invalid_signature"]);
  const agreed = (token) =>
    openImCallbackRequest({ body: openImCallbackBodies.afterAddFriendAgree({ fromUserID: "carol", toUserID: "alice" }), token, tokenScheme: "basic" });
  expectAnswer("an OpenIM callback at /webhooks/openim/callbackAfterAddFriendAgreeCommand", await send(agreed("check-openim-token")), 200, ['"errCode":0']);
  expectAnswer("an OpenIM callback with another token", await send(agreed("not-the-token")), 401, ["invalid_signature"]);
  expectAnswer("a GET", await send(easemob("check-easemob-secret", "bob"), "/webhooks/easemob", "GET"), 405);
  expectAnswer("a callback for no configured adapter", await send(easemob("check-easemob-secret", "bob"), "/webhooks/line"), 404, ["route_not_found"]);
}

function expectAnswer(what, answer, status, bodyIncludes = []) {
  const problems = [];
  if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}`);
  for (const text of bodyIncludes) if (!answer.body.includes(text)) problems.push(`a body without ${JSON.stringify(text)}`);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join("; ")}. The answer was ${answer.status} ${answer.body}`);
  console.log(`ok: ${what} → ${answer.status}`);
}

const exercises = {
  webhooks: everyProvider,

  async "webhooks-and-friends"() {
    await everyProvider();
    const friends = await fetch(new URL("/friends/easemob/demo%23app/alice", baseUrl));
    expectAnswer("alice's friends, from the application's own route", { status: friends.status, body: await friends.text() }, 200, ['"friends":["bob"]']);
  },

  async easemob() {
    const callback = (secret) =>
      buildEasemobCallback({ secret, operation: "remote_accept", from: "1112220101#demo_bob@easemob.com", to: "alice", appKey: "1112220101#demo" });
    // The second of the two secrets in EASEMOB_CALLBACK_SECRETS, and a query string in the URL.
    expectAnswer("a callback signed with the second secret", await send(callback("check-secret-two"), "/?from=easemob"), 200);
    expectAnswer("a callback signed with another secret", await send(callback("not-the-secret")), 401, ["invalid_signature"]);
  },

  async tencent() {
    const token = "check-tencent-token";
    const sdkAppId = "1400000000";
    const blocked = tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: "mallory" }] });
    expectAnswer("a signed Sns.CallbackBlackListAdd", await send(buildTencentCallback({ sdkAppId, token, body: blocked })), 200, ['"ActionStatus":"OK"']);
    const request = tencentCallbackBodies.prevFriendAdd({
      fromAccount: "mallory",
      friendItems: [{ toAccount: "alice", addWording: "see http://example.com" }],
    });
    expectAnswer("a friend request with a link, which the example's policy denies", await send(buildTencentCallback({ sdkAppId, token, body: request })), 200, [
      '"ResultCode":38001',
    ]);
    expectAnswer("a callback signed with another token", await send(buildTencentCallback({ sdkAppId, token: "not-the-token", body: blocked })), 401, [
      "invalid_signature",
    ]);
    expectAnswer("a callback for another SdkAppid", await send(buildTencentCallback({ sdkAppId: "1400000001", token, body: blocked })), 403, [
      "app_mismatch",
    ]);
  },

  async express() {
    const secret = "check-easemob-secret";
    const callback = buildEasemobCallback({ secret, operation: "remote_accept", from: "bob", to: "alice", appKey: "demo#app" });
    expectAnswer("a signed Easemob callback", await send(callback, "/callbacks/easemob"), 200);
    const friends = await fetch(new URL("/friends/easemob/demo%23app/alice", baseUrl));
    expectAnswer("alice's friends", { status: friends.status, body: await friends.text() }, 200, ['"friends":["bob"]']);
    const forged = buildEasemobCallback({ secret: "not-the-secret", operation: "remove", from: "bob", to: "alice", appKey: "demo#app" });
    expectAnswer("a callback signed with another secret", await send(forged, "/callbacks/easemob"), 401, ["invalid_signature"]);
    const blocked = tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: "mallory" }] });
    const tencent = buildTencentCallback({ sdkAppId: "1400000000", token: "check-tencent-token", body: blocked });
    expectAnswer("a signed Tencent callback", await send(tencent, "/callbacks/tencent"), 200, ['"ActionStatus":"OK"']);
  },

  async openim() {
    const token = "check-openim-token";
    const agreed = openImCallbackRequest({
      body: openImCallbackBodies.afterAddFriendAgree({ fromUserID: "2137563398", toUserID: "6960562805" }),
      token,
      tokenScheme: "basic",
    });
    expectAnswer("an afterAddFriendAgree callback", await send(agreed), 200, ['"errCode":0']);
    const withLink = openImCallbackRequest({
      body: openImCallbackBodies.beforeAddFriend({ fromUserID: "6960562805", toUserID: "2137563398", reqMsg: "see http://example.com" }),
      token,
    });
    expectAnswer("a friend request with a link, which the example's policy denies", await send(withLink), 200, ['"nextCode":1']);
    const anonymous = openImCallbackRequest({ body: openImCallbackBodies.afterDeleteFriend({ ownerUserID: "1", friendUserID: "2" }) });
    expectAnswer("a callback without the token", await send(anonymous), 401, ["missing_signature"]);
  },
};

const exercise = exercises[exerciseName];
if (!exercise) {
  console.error(`No exercise named "${exerciseName}"; there are: ${Object.keys(exercises).join(", ")}.`);
  process.exit(2);
}
try {
  await exercise();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// A route module keeps its receiver running, as it would in Next.js: this process is done.
if (route) process.exit(0);
