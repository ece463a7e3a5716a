import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { demoCredentials } from "./support/demo-credentials";
import { sendCallback } from "../src/simulate/send-callback";
import { type Child, appStartupTimeoutMs, packageScript, startAppProcess, useAppProcesses } from "./support/child-process";
import { request, waitFor } from "./support/running-app";

const { track, dataDirectory } = useAppProcesses("friendhook-defaults-");

const operatorSecret = "operator-easemob-secret-5Rk2";
const apiToken = "operator-api-token-Zq8Lw3Nv6Tp1";

/** Callbacks signed with the public DEMO credentials: what anyone who read the repository can send. */
function demoSignedCallbacks() {
  return [
    {
      provider: "tencent",
      request: buildTencentCallback({
        sdkAppId: demoCredentials.tencentSdkAppId,
        token: demoCredentials.tencentToken,
        command: "Sns.CallbackFriendAdd",
        body: { CallbackCommand: "Sns.CallbackFriendAdd", PairList: [{ From_Account: "mallory", To_Account: "alice" }], ClientIP: "203.0.113.9" },
      }),
    },
    {
      provider: "openim",
      request: openImCallbackRequest({
        body: openImCallbackBodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "bob" }),
        token: demoCredentials.openImToken,
        tokenScheme: "basic",
      }),
    },
    {
      provider: "easemob",
      request: buildEasemobCallback({
        secret: demoCredentials.easemobSecret,
        appKey: demoCredentials.easemobAppKey,
        operation: "remove",
        from: "alice",
        to: "bob",
      }),
    },
  ] as const;
}

async function listeningUrl(app: Child): Promise<string> {
  return waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(app.output())?.[1], "the app to listen", appStartupTimeoutMs);
}

/** The exit code of a start that must be refused; an app that listens instead fails the test at once. */
async function refusedStart(app: Child): Promise<number | null> {
  let exitCode: number | null | undefined;
  void app.exited.then((code) => (exitCode = code));
  const outcome = await waitFor(() => {
    if (exitCode !== undefined) return { code: exitCode };
    const url = /"url":"(http:\/\/[^"]+)"/.exec(app.output())?.[1];
    return url === undefined ? undefined : { listening: url };
  }, "the app to exit or listen", appStartupTimeoutMs);
  if ("listening" in outcome) throw new Error(`the app started (${outcome.listening}) where it must refuse to:\n${app.output()}`);
  return outcome.code;
}

describe("the DEMO credentials stay out of real deployments", () => {
  it.each([
    ["without NODE_ENV", {}, []],
    ["in production", { NODE_ENV: "production", FRIENDHOOK_API_TOKEN: apiToken }, []],
    ["without NODE_ENV, with --demo", {}, ["--demo"]],
  ] as const)("an operator who sets only EASEMOB_SECRET gets Easemob only (%s)", async (_name, variables, commandLineArguments) => {
    // The app's own directory: the committed .env.development is right there.
    const app = track(
      startAppProcess({ PORT: "0", FRIENDHOOK_DATA_DIR: dataDirectory(), EASEMOB_SECRET: operatorSecret, ...variables }, commandLineArguments),
    );
    const url = await listeningUrl(app);
    expect(app.output()).not.toContain("DEMO credentials");

    for (const { provider, request: callback } of demoSignedCallbacks()) {
      const answer = await sendCallback(url, provider, callback);
      expect(answer.status, provider).toBe(provider === "easemob" ? 401 : 503);
    }
    const genuine = buildEasemobCallback({ secret: operatorSecret, operation: "add", from: "alice", to: "bob" });
    expect((await sendCallback(url, "easemob", genuine)).status).toBe(200);
    const authorization = { authorization: `Bearer ${apiToken}` };
    const events = (await request(`${url}/api/events?limit=1000`, { headers: authorization })).body.events as Array<{ provider: string }>;
    expect(events.map((event) => event.provider)).toEqual(["easemob"]);
  });

  it("refuses `pnpm start` (--demo) in production, in one line", async () => {
    // `pnpm start` runs the build with --demo. The tests run on a fresh clone before any build (the
    // README's test command builds nothing): the script's arguments go to the app's sources, which
    // the build is made of.
    const [command, entry, ...startArguments] = packageScript("start").split(/\s+/);
    expect([command, entry]).toEqual(["node", "dist/main.js"]);
    expect(startArguments).toContain("--demo");
    const app = track(
      startAppProcess(
        { NODE_ENV: "production", PORT: "0", EASEMOB_SECRET: operatorSecret, FRIENDHOOK_API_TOKEN: apiToken, FRIENDHOOK_DATA_DIR: dataDirectory() },
        startArguments,
      ),
    );
    expect(await refusedStart(app)).toBe(1);
    expect(app.output()).toContain(
      "--demo: starts with the public DEMO credentials of .env.development, which production (NODE_ENV=production) refuses; start without --demo (node dist/main.js)",
    );
    expect(app.output()).not.toMatch(/^\s+at /m);
  });
});

describe("a production start refuses what anyone could use", () => {
  it("refuses the read API without FRIENDHOOK_API_TOKEN, and says how to fix it", async () => {
    const app = track(startAppProcess({ NODE_ENV: "production", PORT: "0", FRIENDHOOK_DATA_DIR: dataDirectory(), EASEMOB_SECRET: operatorSecret }));
    expect(await refusedStart(app)).toBe(1);
    expect(app.output()).toContain("FRIENDHOOK_API_TOKEN: is required in production while the read API is on");
    expect(app.output()).toContain("or set FRIENDHOOK_API=off");
    expect(app.output()).not.toContain("friendhook is listening");
  });

  it.each([
    ["Tencent without TENCENT_TOKEN", { TENCENT_SDKAPPID: "1400000001" }, "TENCENT_TOKEN: is required in production", { TENCENT_ALLOW_UNAUTHENTICATED: "true" }],
    ["OpenIM without OPENIM_TOKEN", { OPENIM_ENABLED: "true" }, "OPENIM_TOKEN: is required in production", { OPENIM_ALLOW_UNAUTHENTICATED: "true" }],
  ] as const)("refuses %s, unless the operator opts in", async (_name, provider, message, optIn) => {
    const production = { NODE_ENV: "production", PORT: "0", FRIENDHOOK_API_TOKEN: apiToken, ...provider };
    const refused = track(startAppProcess({ ...production, FRIENDHOOK_DATA_DIR: dataDirectory() }));
    expect(await refusedStart(refused)).toBe(1);
    expect(refused.output()).toContain(message);

    const optedIn = track(startAppProcess({ ...production, ...optIn, FRIENDHOOK_DATA_DIR: dataDirectory() }));
    await listeningUrl(optedIn);
    expect(optedIn.output()).toMatch(/callbacks are not authenticated/);
  });
});
