import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type SlowUploadResult,
  createAppDeployment,
  errorCodeOf,
  killRunningAppProcesses,
  openImVariables,
  providerVariables,
  readAllEvents,
  recordFigures,
  reliabilityCredentials as credentials,
  runSlowUpload,
  sendCallback,
  signedTencentPath,
  waitFor,
  webhookPathOf,
} from "../src/index";

// A forged upload sent slowly held a connection and its bytes until the whole body was in: a 900 KB
// body at 150 kB/s got its 403 after six seconds. What a request's URL and headers decide (Tencent's
// SdkAppid and Sign, OpenIM's token) is now decided before the body is read, and the body bytes in
// memory across all requests are capped (64 MiB by default): past that, `receiver_busy` (503).

const bodyLimitBytes = 1024 * 1024;
const uploadBytes = 900 * 1024;
/** 150 kB/s, as in the report of the attack. */
const paceBytes = 15 * 1024;
const paceIntervalMs = 100;
const attemptsPerForgery = 2;
const defaultBudgetBytes = 64 * 1024 * 1024;
/** Stalled uploads of a body just under the limit: more than the budget holds. */
const stalledUploads = 100;

let deployment: AppDeployment;
let url: string;

beforeAll(async () => {
  deployment = createAppDeployment({ ...providerVariables(), ...openImVariables(), FRIENDHOOK_SINKS: "console" });
  ({ url } = await deployment.start());
});

afterAll(async () => {
  await deployment?.dispose();
  killRunningAppProcesses();
});

const codeOf = (result: SlowUploadResult) =>
  result.status === undefined ? undefined : errorCodeOf({ kind: "answered", status: result.status, headers: {}, body: result.body ?? "" });

function withoutParameter(path: string, name: string): string {
  const target = new URL(path, "http://receiver.invalid");
  target.searchParams.delete(name);
  return `${target.pathname}${target.search}`;
}

describe("slow uploads against the running app", () => {
  it("answers a slow upload whose URL or headers are forged at once, long before its body is in, and stores nothing", async () => {
    const json = { "Content-Type": "application/json" };
    const openImPath = "/webhooks/openim/callbackAfterAddFriendCommand";
    const staleTencent = buildTencentCallback({
      sdkAppId: credentials.tencentSdkAppIds[0],
      token: credentials.tencentToken,
      requestTime: Math.floor(Date.now() / 1000) - 600,
      command: "Sns.CallbackFriendDelete",
      body: "{}",
    });
    const forgeries = [
      { name: "Tencent, a wrong SdkAppid", path: signedTencentPath("Sns.CallbackFriendDelete", credentials, { SdkAppid: "1400000099" }), headers: json, status: 403, code: "app_mismatch" },
      { name: "Tencent, a forged Sign", path: signedTencentPath("Sns.CallbackFriendDelete", credentials, { Sign: "0".repeat(64) }), headers: json, status: 401, code: "invalid_signature" },
      { name: "Tencent, no Sign", path: withoutParameter(signedTencentPath("Sns.CallbackFriendDelete", credentials), "Sign"), headers: json, status: 401, code: "missing_signature" },
      { name: "Tencent, signed ten minutes ago", path: webhookPathOf("tencent", staleTencent), headers: json, status: 401, code: "stale_request" },
      { name: "OpenIM, a wrong token", path: openImPath, headers: { ...json, Authorization: "Bearer not-the-token", operationID: "slow-1" }, status: 401, code: "invalid_signature" },
      { name: "OpenIM, no token", path: openImPath, headers: { ...json, operationID: "slow-2" }, status: 401, code: "missing_signature" },
    ];
    const uploads = forgeries.flatMap((forgery) =>
      Array.from({ length: attemptsPerForgery }, async () => {
        const result = await runSlowUpload(url, {
          path: forgery.path,
          headers: forgery.headers,
          totalBytes: uploadBytes,
          bytesPerInterval: paceBytes,
          intervalMs: paceIntervalMs,
          giveUpAfterMs: 30_000,
        });
        return { forgery, result };
      }),
    );
    const results = await Promise.all(uploads);

    recordFigures("slow-forged-uploads", "Slow uploads (900 KB at 150 kB/s) with a forged URL or token", {
      hostileInputsTried: results.length,
      refused: results.filter(({ result }) => result.status !== undefined && result.status >= 400 && result.status < 500).length,
      eventsStored: (await readAllEvents(url)).length,
      serverErrorsSeen: results.filter(({ result }) => result.status !== undefined && result.status >= 500).length,
      notes: {
        uploadBytes,
        mostBodyBytesSentBeforeTheAnswer: Math.max(...results.map(({ result }) => result.bytesSentAtAnswer)),
        slowestAnswerMs: Math.max(...results.map(({ result }) => result.answeredAfterMs)),
      },
    });

    expect(results.map(({ forgery, result }) => ({ name: forgery.name, status: result.status, code: codeOf(result) }))).toEqual(
      results.map(({ forgery }) => ({ name: forgery.name, status: forgery.status, code: forgery.code })),
    );
    // The answer came while the body was still being sent: it did not wait for the body.
    for (const { forgery, result } of results) expect(result.bytesSentAtAnswer, forgery.name).toBeLessThan(uploadBytes);
    expect(await readAllEvents(url)).toEqual([]);
  });

  it("caps the body bytes held across requests: uploads beyond the budget are answered receiver_busy (503) at once, and once the others are gone genuine callbacks are taken again", async () => {
    const before = deployment.current().residentSetBytes();
    let busyAnswers = 0;
    const giveUp = new AbortController();
    const stalled = Array.from({ length: stalledUploads }, async () => {
      const result = await runSlowUpload(url, {
        path: "/webhooks/easemob",
        headers: { "Content-Type": "application/json" },
        totalBytes: bodyLimitBytes,
        firstBytes: bodyLimitBytes - 1,
        bytesPerInterval: 0,
        intervalMs: paceIntervalMs,
        giveUpAfterMs: 45_000,
        signal: giveUp.signal,
      });
      if (result.status === 503) busyAnswers += 1;
      return result;
    });
    // Once the budget is full, the process holds the most it will: its memory then, and a genuine callback's answer.
    await waitFor("the uploads beyond the budget to be refused", () => (busyAnswers >= stalledUploads - defaultBudgetBytes / bodyLimitBytes ? true : undefined), 120_000);
    const whileFull = deployment.current().residentSetBytes();
    const genuine = () =>
      buildEasemobCallback({ secret: credentials.easemobSecrets[0], operation: "remove", from: "rel-alice", to: `rel-bob-${Date.now()}`, appKey: credentials.easemobAppKeys[0] });
    const duringOutcome = await sendCallback(url, "easemob", genuine());
    // The stalled clients give up (the app would answer them 408 after its body deadline, as the
    // slow-client test shows): the bytes they held go back to the budget.
    giveUp.abort();
    const results = await Promise.all(stalled);
    const afterOutcome = await waitFor("a genuine callback to be taken once the budget is free", async () => {
      const outcome = await sendCallback(url, "easemob", genuine());
      return outcome.kind === "answered" && outcome.status === 503 ? undefined : outcome;
    });

    const busy = results.filter((result) => result.status === 503 && codeOf(result) === "receiver_busy");
    const held = results.filter((result) => result.abandoned);
    recordFigures("body-budget", "Stalled uploads beyond the budget of body bytes in flight (64 MiB)", {
      hostileInputsTried: results.length,
      unanswered: results.filter((result) => result.hung).length,
      // The genuine callbacks' events aside (their targets are rel-bob-…), the uploads' bodies were never read.
      eventsStored: (await readAllEvents(url)).filter((event) => !event.target.startsWith("rel-bob-")).length,
      // 503 receiver_busy is the answer by design (retry later), counted in the notes.
      serverErrorsSeen: results.filter((result) => result.status !== undefined && result.status >= 500 && codeOf(result) !== "receiver_busy").length,
      notes: {
        uploadsOfOneMiBLessOneByte: stalledUploads,
        answeredReceiverBusy: busy.length,
        heldUntilTheClientLeft: held.length,
        residentSetBeforeMiB: Math.round(before / 2 ** 20),
        residentSetWhileFullMiB: Math.round(whileFull / 2 ** 20),
        genuineCallbackWhileFull: duringOutcome.kind === "answered" ? `${duringOutcome.status} ${errorCodeOf(duringOutcome) ?? ""}`.trim() : duringOutcome.reason,
      },
    });

    expect(results.filter((result) => result.hung)).toEqual([]);
    expect(busy.length).toBeGreaterThanOrEqual(stalledUploads - defaultBudgetBytes / bodyLimitBytes);
    expect(busy.length + held.length).toBe(stalledUploads);
    // What the budget held (64 MiB at most) is given back: the app takes callbacks again.
    expect(afterOutcome.kind === "answered" && afterOutcome.status).toBe(200);
    expect(deployment.current().hasExited()).toBe(false);
  }, 900_000);
});
