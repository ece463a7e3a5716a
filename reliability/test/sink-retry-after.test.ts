import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type WebhookRecorder,
  createAppDeployment,
  expectedEventsOf,
  httpSinkVariables,
  killRunningAppProcesses,
  providerVariables,
  readAllDeadLetters,
  recordFigures,
  reliabilityCredentials as credentials,
  sendCallback,
  startWebhookRecorder,
  waitFor,
} from "../src/index";

// A sink's endpoint answers 503 with a Retry-After. Whatever it asks for (400 digits, which are
// Infinity as a JavaScript number, a date in the year 9999), the wait is capped at the app's longest
// backoff: the delivery is tried again, and after its last attempt it goes to the dead letters
// instead of waiting for ever.

const maximumAttempts = 3;
const maximumBackoffMs = 300;
const hostileRetryAfters: ReadonlyArray<readonly [string, string]> = [
  ["400 digits", "9".repeat(400)],
  ["a date in the year 9999", "Fri, 31 Dec 9999 23:59:59 GMT"],
  ["a hundred years in seconds", String(100 * 365 * 86_400)],
  ["Number.MAX_SAFE_INTEGER seconds", String(Number.MAX_SAFE_INTEGER)],
];

let deployment: AppDeployment;
let recorder: WebhookRecorder;
let url: string;

beforeAll(async () => {
  recorder = await startWebhookRecorder(credentials.webhookSecret);
  recorder.mode = "unavailable";
  deployment = createAppDeployment({
    ...providerVariables(),
    ...httpSinkVariables(recorder.url),
    FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: String(maximumAttempts),
    FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "100",
    FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: String(maximumBackoffMs),
    FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "100",
  });
  ({ url } = await deployment.start());
});

afterAll(async () => {
  await deployment?.dispose();
  await recorder?.close();
  killRunningAppProcesses();
});

describe("a sink endpoint's Retry-After, against the running app", () => {
  it("caps any Retry-After at the longest backoff: each delivery is tried again and dead-lettered after its last attempt", async () => {
    const outcomes: Array<{ name: string; attempts: number | undefined; waitedMs: number }> = [];
    for (const [index, [name, retryAfter]] of hostileRetryAfters.entries()) {
      recorder.retryAfter = retryAfter;
      const request = buildTencentCallback({
        sdkAppId: credentials.tencentSdkAppIds[0],
        token: credentials.tencentToken,
        body: tencentCallbackBodies.friendDelete({ pairs: [{ fromAccount: `rel-alice-${index}`, toAccount: `rel-bob-${index}` }], requestId: `retry-after-${index}` }),
      });
      const [eventId] = (await expectedEventsOf("tencent", request)).eventIds;
      const sentAt = performance.now();
      const outcome = await sendCallback(url, "tencent", request);
      expect(outcome.kind === "answered" && outcome.status).toBe(200);
      // Generous: the three attempts need well under a second; only a wait that is not capped takes longer.
      const deadLetter = await waitFor(
        `the dead letter of ${eventId} (Retry-After: ${name})`,
        async () => (await readAllDeadLetters(url)).find((letter) => letter.event.id === eventId),
        60_000,
        200,
      ).catch(() => undefined);
      outcomes.push({ name, attempts: deadLetter?.attempts, waitedMs: Math.round(performance.now() - sentAt) });
    }

    recordFigures("sink-retry-after", "HTTP sink: a Retry-After of 400 digits or a date in 9999", {
      callbacksSent: outcomes.length,
      acknowledged: outcomes.length,
      hostileInputsTried: recorder.refusedRequests,
      eventsDelivered: recorder.deliveries.length,
      notes: {
        retryAfterValues: hostileRetryAfters.length,
        maximumAttempts,
        maximumBackoffMs,
        deadLettered: outcomes.filter((outcome) => outcome.attempts === maximumAttempts).length,
        longestUntilDeadLetterMs: Math.max(...outcomes.map((outcome) => outcome.waitedMs)),
      },
    });

    expect(outcomes.map(({ name, attempts }) => ({ name, attempts }))).toEqual(hostileRetryAfters.map(([name]) => ({ name, attempts: maximumAttempts })));
    // Each attempt reached the endpoint: the waits in between were the capped backoff, not the endpoint's.
    expect(recorder.refusedRequests).toBe(hostileRetryAfters.length * maximumAttempts);
    expect(deployment.current().hasExited()).toBe(false);
  }, 900_000);
});
