// Sends signed callbacks to a README's server example, as the provider would, and checks the
// answers. It runs inside the packaging check's ES module project, with the packed packages as npm
// installed them: `node exercise-server.mjs <exercise> <base URL>`. The secrets are the ones the
// check puts in the example's environment (see example-runs.mjs).
import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";

const [exerciseName, baseUrl] = process.argv.slice(2);

/** Posts a `ProviderRequest` (what the adapters' builders make) to the server, as the provider would. */
async function send(request, path = request.path) {
  const url = new URL(path, baseUrl);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([, value]) => value !== undefined));
  const response = await fetch(url, { method: request.method, headers, body: request.body });
  return { status: response.status, body: await response.text() };
}

function expectAnswer(what, answer, status, bodyIncludes = []) {
  const problems = [];
  if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}`);
  for (const text of bodyIncludes) if (!answer.body.includes(text)) problems.push(`a body without ${JSON.stringify(text)}`);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join("; ")}. The answer was ${answer.status} ${answer.body}`);
  console.log(`ok: ${what} → ${answer.status}`);
}

const exercises = {
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
