import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback, easemobDescriptor } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest, openImDescriptor } from "@friendhook/openim";
import { buildTencentCallback, tencentDescriptor } from "@friendhook/tencent";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type AppProcess,
  errorCodeOf,
  exampleAppDirectory,
  killRunningAppProcesses,
  readAllEvents,
  recordFigures,
  reliabilityCredentials as credentials,
  runAppUntilExit,
  sendCallback,
  sendRaw,
  startAppProcess,
} from "../src/index";

afterAll(killRunningAppProcesses);

/** The public DEMO credentials of `--demo`, as the adapters' descriptors publish them: anyone can read them. */
const demoCredentials = {
  easemobSecret: easemobDescriptor.demo.EASEMOB_SECRET,
  easemobAppKey: easemobDescriptor.demo.EASEMOB_APPKEY,
  tencentSdkAppId: tencentDescriptor.demo.TENCENT_SDKAPPID ?? "",
  tencentToken: tencentDescriptor.demo.TENCENT_TOKEN,
  openImToken: openImDescriptor.demo.OPENIM_TOKEN,
};

const directories: string[] = [];
const lives: AppProcess[] = [];
afterEach(async () => {
  await Promise.all(lives.splice(0).map((life) => life.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A working directory as a deployment from a clone has it: the committed `.env.development` is there. */
function cloneLikeDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "friendhook-reliability-defaults-"));
  directories.push(directory);
  copyFileSync(join(exampleAppDirectory, ".env.development"), join(directory, ".env.development"));
  return directory;
}

async function start(variables: Record<string, string>, commandLineArguments: readonly string[] = []): Promise<AppProcess> {
  const workingDirectory = cloneLikeDirectory();
  const life = await startAppProcess({ variables, workingDirectory, dataDirectory: join(workingDirectory, "data"), commandLineArguments });
  lives.push(life);
  return life;
}

interface DemoForgery {
  readonly name: string;
  readonly route: "easemob" | "tencent" | "openim";
  readonly request: ProviderRequest;
  readonly status: number;
  readonly code: string;
}

/** Callbacks signed with the public DEMO credentials: anyone who has read the repository can send them. */
function demoForgeries(): DemoForgery[] {
  const tencent = (command: string, body: Record<string, unknown>): ProviderRequest =>
    buildTencentCallback({ sdkAppId: demoCredentials.tencentSdkAppId, token: demoCredentials.tencentToken, command, body: { CallbackCommand: command, ...body } });
  const openIm = (body: Record<string, unknown>): ProviderRequest => openImCallbackRequest({ body, token: demoCredentials.openImToken, tokenScheme: "basic" });
  const notConfigured = { status: 503, code: "provider_not_configured" } as const;
  return [
    { name: "Tencent friend add", route: "tencent", request: tencent("Sns.CallbackFriendAdd", { PairList: [{ From_Account: "rel-mallory", To_Account: "rel-victim" }] }), ...notConfigured },
    { name: "Tencent friend delete", route: "tencent", request: tencent("Sns.CallbackFriendDelete", { PairList: [{ From_Account: "rel-victim", To_Account: "rel-friend" }] }), ...notConfigured },
    { name: "Tencent block", route: "tencent", request: tencent("Sns.CallbackBlackListAdd", { PairList: [{ From_Account: "rel-victim", To_Account: "rel-friend" }] }), ...notConfigured },
    { name: "OpenIM friend request", route: "openim", request: openIm(openImCallbackBodies.afterAddFriend({ fromUserID: "rel-mallory", toUserID: "rel-victim", reqMsg: "hi" })), ...notConfigured },
    { name: "OpenIM block", route: "openim", request: openIm(openImCallbackBodies.beforeAddBlack({ ownerUserID: "rel-victim", blackUserID: "rel-friend" })), ...notConfigured },
    {
      name: "Easemob removal signed with the DEMO secret",
      route: "easemob",
      request: buildEasemobCallback({ secret: demoCredentials.easemobSecret ?? "", appKey: demoCredentials.easemobAppKey ?? "", operation: "remove", from: "rel-victim", to: "rel-friend" }),
      status: 401,
      code: "invalid_signature",
    },
  ];
}

const demoFigures = { starts: 0, tried: 0, refused: 0, notConfigured: 0, forgedStored: 0, genuine: 0, acknowledged: 0, serverErrors: 0 };
const unauthenticatedFigures = { refusedStarts: 0, optedInStarts: 0, unsignedAccepted: 0 };

describe("the DEMO credentials in a real deployment", () => {
  it.each([
    ["without NODE_ENV", { NODE_ENV: "" }, []],
    ["without NODE_ENV, started with --demo", { NODE_ENV: "" }, ["--demo"]],
    ["in production", {}, []],
  ] as const)(
    "an operator who sets only EASEMOB_SECRET (%s) gets Easemob only: DEMO-signed callbacks are refused, none stored",
    async (_name, variables, commandLineArguments) => {
      const { url } = await start({ EASEMOB_SECRET: credentials.easemobSecrets[0], ...variables }, commandLineArguments);
      demoFigures.starts += 1;
      const answers: Array<{ name: string; status: number | string; code: string | undefined }> = [];
      for (const forgery of demoForgeries()) {
        const outcome = await sendCallback(url, forgery.route, forgery.request);
        demoFigures.tried += 1;
        const status = outcome.kind === "answered" ? outcome.status : outcome.reason;
        const code = errorCodeOf(outcome);
        if (typeof status === "number" && status >= 400 && status < 500) demoFigures.refused += 1;
        // 503 provider_not_configured is the answer of a provider the operator left out; any other 5xx is a failure.
        if (status === 503 && code === "provider_not_configured") demoFigures.notConfigured += 1;
        else if (typeof status === "number" && status >= 500) demoFigures.serverErrors += 1;
        answers.push({ name: forgery.name, status, code });
      }
      // Tencent and OpenIM are simply not there: 503 provider_not_configured is what a provider
      // without credentials answers (see the example app's README).
      expect(answers).toEqual(demoForgeries().map(({ name, status, code }) => ({ name, status, code })));

      const genuine = buildEasemobCallback({ secret: credentials.easemobSecrets[0], operation: "add", from: "rel-alice", to: "rel-bob" });
      expect(await sendCallback(url, "easemob", genuine)).toMatchObject({ status: 200 });
      demoFigures.genuine += 1;
      demoFigures.acknowledged += 1;
      const stored = await readAllEvents(url);
      demoFigures.forgedStored += stored.filter((event) => event.provider !== "easemob" || event.actor !== "rel-alice").length;
      expect(stored.map((event) => `${event.provider} ${event.type} ${event.actor}`)).toEqual(["easemob friend.request.sent rel-alice"]);
      const health = await sendRaw(url, { method: "GET", path: "/healthz" });
      expect(health).toMatchObject({ status: 200 });
    },
  );
});

describe("a production start with a provider that authenticates nothing", () => {
  it.each([
    ["Tencent without TENCENT_TOKEN", { TENCENT_SDKAPPID: credentials.tencentSdkAppIds[0] }, "TENCENT_TOKEN: is required in production", { TENCENT_ALLOW_UNAUTHENTICATED: "true" }],
    ["OpenIM without OPENIM_TOKEN", { OPENIM_ENABLED: "true" }, "OPENIM_TOKEN: is required in production", { OPENIM_ALLOW_UNAUTHENTICATED: "true" }],
  ] as const)("refuses %s, and starts once the operator opts in", async (_name, provider, message, optIn) => {
    const workingDirectory = cloneLikeDirectory();
    const refused = await runAppUntilExit({ variables: { ...provider }, workingDirectory, dataDirectory: join(workingDirectory, "data") });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(message);
    expect(refused.output).not.toContain("friendhook is listening");
    unauthenticatedFigures.refusedStarts += 1;

    const optedIn = await start({ ...provider, ...optIn });
    unauthenticatedFigures.optedInStarts += 1;
    expect(optedIn.output()).toMatch(/callbacks are not authenticated/);
    if ("TENCENT_SDKAPPID" in provider) {
      // The opt-in means what it says: a callback without any Sign is taken.
      const unsigned = buildTencentCallback({
        sdkAppId: credentials.tencentSdkAppIds[0],
        command: "Sns.CallbackFriendAdd",
        body: { CallbackCommand: "Sns.CallbackFriendAdd", PairList: [{ From_Account: "rel-a", To_Account: "rel-b" }] },
      });
      expect(unsigned.query.has("Sign")).toBe(false);
      expect(await sendCallback(optedIn.url, "tencent", unsigned)).toMatchObject({ status: 200 });
      unauthenticatedFigures.unsignedAccepted += 1;
    }
  });
});

afterAll(() => {
  recordFigures("demo-credentials", "Demo credentials in a deployment that set only EASEMOB_SECRET", {
    callbacksSent: demoFigures.tried + demoFigures.genuine,
    acknowledged: demoFigures.acknowledged,
    refused: demoFigures.refused,
    forgedStored: demoFigures.forgedStored,
    hostileInputsTried: demoFigures.tried,
    serverErrorsSeen: demoFigures.serverErrors,
    notes: { starts: demoFigures.starts, answeredProviderNotConfigured: demoFigures.notConfigured },
  });
  recordFigures("unauthenticated-providers", "Production start with a provider that authenticates nothing", {
    notes: {
      startsRefused: unauthenticatedFigures.refusedStarts,
      startsWithOptIn: unauthenticatedFigures.optedInStarts,
      unsignedCallbacksTakenAfterOptIn: unauthenticatedFigures.unsignedAccepted,
    },
  });
});
