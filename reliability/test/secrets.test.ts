import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterAll, describe, expect, it } from "vitest";
import {
  type HttpOutcome,
  apiHeaders,
  createAppDeployment,
  easemobForgeries,
  hostileRequests,
  httpSinkVariables,
  killRunningAppProcesses,
  providerVariables,
  recordFigures,
  reliabilityCredentials as credentials,
  runAppUntilExit,
  secretStrings,
  sendCallback,
  sendRaw,
  startWebhookRecorder,
  tencentForgeries,
  waitFor,
} from "../src/index";

afterAll(killRunningAppProcesses);

/** Each secret whole, and its last ten characters (a secret cut short is still a leak). */
function needlesFor(secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => [secret, secret.slice(-10)]);
}

function findLeaks(haystack: string, needles: readonly string[]): string[] {
  return needles.filter((needle) => haystack.includes(needle));
}

const figures = { requests: 0, serverErrors: 0, outputBytes: 0, needles: 0, leaks: 0 };

/** Everything a client can read of an answer: status, headers and body. */
function answerText(outcome: HttpOutcome): string {
  if (outcome.kind === "failed") return outcome.reason;
  if (outcome.status >= 500) figures.serverErrors += 1;
  return `${outcome.status} ${JSON.stringify(outcome.headers)} ${outcome.body}`;
}

describe("secrets never appear in the app's output or answers", () => {
  it.each(["production", "development"] as const)(
    "logs at trace level in %s mode, takes good, forged, hostile and unknown traffic, and shows no secret nor valid signature",
    async (environment) => {
      // The HTTP sink signs its webhooks with a secret of its own: it must not leak either.
      const recorder = await startWebhookRecorder(credentials.webhookSecret);
      const deployment = createAppDeployment({
        ...providerVariables(),
        ...httpSinkVariables(recorder.url),
        FRIENDHOOK_SINKS: `console,${recorder.url}`,
        NODE_ENV: environment,
        LOG_LEVEL: "trace",
      });
      try {
        const { url } = await deployment.start();
        const answers: string[] = [];
        const validSignatures: string[] = [];
        const send = async (route: "easemob" | "tencent", request: Parameters<typeof sendCallback>[2]) => {
          const outcome = await sendCallback(url, route, request);
          answers.push(answerText(outcome));
          figures.requests += 1;
          return outcome;
        };

        // Genuine callbacks with both Easemob secrets and the Tencent token; their signatures are secrets too.
        for (const [index, secret] of credentials.easemobSecrets.entries()) {
          for (const operation of ["add", "accept", "remove", "ban", "allow"]) {
            const request = buildEasemobCallback({ secret, operation, from: `leak${index}a`, to: `leak${index}b`, appKey: credentials.easemobAppKeys[index] });
            validSignatures.push((JSON.parse(new TextDecoder().decode(request.body)) as { security: string }).security);
            expect((await send("easemob", request)).kind).toBe("answered");
          }
        }
        for (const command of ["Sns.CallbackFriendAdd", "Sns.CallbackFriendDelete", "Sns.CallbackBlackListAdd", "Sns.CallbackPrevFriendAdd"]) {
          const body =
            command === "Sns.CallbackPrevFriendAdd"
              ? { CallbackCommand: command, Requester_Account: "leakc", From_Account: "leakc", FriendItem: [{ To_Account: "leakd", AddWording: "hi" }], AddType: "Add_Type_Both", EventTime: Date.now() }
              : { CallbackCommand: command, PairList: [{ From_Account: "leakc", To_Account: "leakd" }], RequestId: `leak-${command}` };
          const request = buildTencentCallback({ sdkAppId: credentials.tencentSdkAppIds[0], token: credentials.tencentToken, command, body });
          validSignatures.push(request.query.get("Sign") ?? "");
          expect(await send("tencent", request)).toMatchObject({ status: 200 });
        }
        // Authenticated callbacks of other families: kept as unrecognized, with the body, signature included.
        const otherFamily = buildEasemobCallback({ secret: credentials.easemobSecrets[0], operation: "add", from: "leake", to: "leakf", appKey: credentials.easemobAppKeys[0] });
        const otherBody = JSON.parse(new TextDecoder().decode(otherFamily.body)) as Record<string, unknown>;
        validSignatures.push(otherBody.security as string);
        await send("easemob", { ...otherFamily, body: new TextEncoder().encode(JSON.stringify({ ...otherBody, chat_type: "chat" })) });
        const c2c = buildTencentCallback({ sdkAppId: credentials.tencentSdkAppIds[0], token: credentials.tencentToken, command: "C2C.CallbackAfterSendMsg", body: { CallbackCommand: "C2C.CallbackAfterSendMsg", From_Account: "leakc", To_Account: "leakd" } });
        validSignatures.push(c2c.query.get("Sign") ?? "");
        await send("tencent", c2c);

        // Forgeries (among them the secret itself sent as the signature) and the hostile table.
        for (const forgery of [...easemobForgeries(), ...tencentForgeries()]) await send(forgery.route, forgery.build());
        for (const hostile of hostileRequests({ credentials, bodyLimitBytes: 1024 * 1024 })) {
          answers.push(answerText(await sendRaw(url, hostile.build())));
          figures.requests += 1;
        }
        // Every page of the read API, and a route that does not exist.
        for (const path of ["/api/events?limit=1000", "/api/unrecognized", "/api/dead-letters", "/api/friends?provider=tencent&appId=1400000042&userId=leakc", "/metrics", "/healthz", "/nowhere", "/api/events?limit=0"]) {
          answers.push(answerText(await sendRaw(url, { method: "GET", path, headers: apiHeaders() })));
        }
        const life = deployment.current();
        // Both sinks have delivered: the output holds delivery lines and logs too.
        await waitFor("the console sink to print", () => (life.output().includes("friend.added") ? true : undefined));
        await waitFor("the HTTP sink to deliver", () => (recorder.deliveries.length > 0 ? true : undefined));
        await life.stop();

        const output = life.output();
        const needles = [...needlesFor(secretStrings()), ...validSignatures];
        figures.outputBytes += output.length;
        figures.needles += needles.length;
        const leaks = [...findLeaks(output, needles), ...findLeaks(answers.join("\n"), needles)];
        figures.leaks += leaks.length;

        expect(validSignatures.filter((signature) => signature.length < 32)).toEqual([]);
        expect(output).toContain(environment === "production" ? '"msg":"request"' : "request");
        expect(leaks).toEqual([]);
        expect(figures.serverErrors).toBe(0);
      } finally {
        await deployment.dispose();
        await recorder.close();
      }
    },
  );

  it.each([
    ["an Easemob secret with a space in it", { EASEMOB_SECRET: "rel-start-secret Pq7Zx3Lm9" }],
    ["a Tencent token with a line break in it", { TENCENT_SDKAPPID: "1400000042", TENCENT_TOKEN: "rel-start-token\nVb2Nc8Rt4" }],
    ["an Easemob secret list with an empty entry", { EASEMOB_SECRET: "rel-start-secret-Kd5Wq1Hs6,,second" }],
    [
      "a webhook secret that is not base64",
      { EASEMOB_SECRET: "rel-start-secret-Zt8Yp2Qm4", FRIENDHOOK_SINKS: "http://127.0.0.1:9/webhooks", FRIENDHOOK_HTTP_SINK_SECRET: "whsec_rel-webhook!Gx6Jd3Lw" },
    ],
  ])("refuses to start with %s without quoting it", async (_name, variables) => {
    const workingDirectory = mkdtempSync(join(tmpdir(), "friendhook-reliability-start-"));
    try {
      const { code, output } = await runAppUntilExit({ variables, dataDirectory: join(workingDirectory, "data"), workingDirectory });
      const secrets = Object.entries(variables)
        .filter(([name]) => /SECRET|TOKEN/.test(name))
        .map(([, value]) => value);
      const fragments = secrets.flatMap((secret) => secret.split(/[\s,]+/).filter((part) => part.length >= 8));
      expect(code).toBe(1);
      expect(output).toMatch(/^friendhook: /);
      expect(findLeaks(output, fragments)).toEqual([]);
    } finally {
      rmSync(workingDirectory, { recursive: true, force: true });
    }
  });
});

afterAll(() => {
  recordFigures("secrets", "Secrets in logs and answers", {
    callbacksSent: figures.requests,
    serverErrorsSeen: figures.serverErrors,
    notes: { outputBytesSearched: figures.outputBytes, secretsAndSignaturesSearchedFor: figures.needles, leaksFound: figures.leaks },
  });
});
