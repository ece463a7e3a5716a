import { afterEach, expect, it } from "vitest";
import {
  type AppDeployment,
  type WebhookRecorder,
  createAppDeployment,
  httpSinkVariables,
  killRunningAppProcesses,
  longestAnswerMs,
  planPairTraffic,
  providerVariables,
  readAllEvents,
  recordFigures,
  reliabilityCredentials,
  runSlowClient,
  sendOnceTimed,
  startWebhookRecorder,
  waitFor,
} from "../src/index";

const shutdownTimeoutMs = 3000;
/** Only bounds a hang: a process that has not ended by then did not honour its shutdown timeout. */
const stopDeadlineMs = shutdownTimeoutMs * 3;
const abandonedMessage = "the shutdown timeout ran out while closing the receiver";

let deployment: AppDeployment | undefined;
let recorder: WebhookRecorder | undefined;
afterEach(async () => {
  killRunningAppProcesses();
  await deployment?.dispose();
  await recorder?.close();
  deployment = undefined;
  recorder = undefined;
});

/**
 * The HTTP sink's endpoint takes its requests and never answers (the sink allows each 15 s), and a
 * client has sent a callback's headers but not its body: after SIGTERM neither the request nor the
 * batch in hand can finish. The app must end anyway, within FRIENDHOOK_SHUTDOWN_TIMEOUT_MS, say what
 * it abandoned, and lose nothing it acknowledged: the next process delivers every stored event.
 */
it("ends within FRIENDHOOK_SHUTDOWN_TIMEOUT_MS when a delivery batch and a request cannot finish, logs what it abandoned, and loses nothing acknowledged", async () => {
  recorder = await startWebhookRecorder(reliabilityCredentials.webhookSecret);
  recorder.mode = "hang";
  deployment = createAppDeployment({
    ...providerVariables(),
    ...httpSinkVariables(recorder.url),
    FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    // The batch abandoned by the first process is claimed again by the second soon after.
    FRIENDHOOK_DELIVERY_LEASE_MS: "2000",
  });
  const first = await deployment.start();
  const plans = await planPairTraffic({ pairs: 6, callbacksPerPair: 10, runId: String(Date.now()) });
  const answers = await sendOnceTimed(first.url, plans, { concurrency: 4, timeoutMs: 10_000 });
  expect(answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.plan.key}: ${answer.status ?? answer.failure}`)).toEqual([]);
  const sink = recorder;
  await waitFor("the HTTP sink to hold a delivery in hand", () => (sink.heldRequests > 0 ? true : undefined));
  const stalled = runSlowClient(first.url, { path: "/webhooks/easemob", declaredLength: 4096, behaviour: "stall", giveUpAfterMs: stopDeadlineMs * 2 });

  const signalledAt = Date.now();
  const exit = await first.stop(stopDeadlineMs);
  const stopMs = Date.now() - signalledAt;
  const stalledResult = await stalled;

  // The next process, on the same data, with an endpoint that answers: every event arrives.
  sink.mode = "accept";
  const second = await deployment.start();
  const stored = await readAllEvents(second.url);
  await waitFor("every stored event to reach the sink", () => {
    const received = new Set(sink.deliveries.map((delivery) => delivery.webhookId));
    return stored.every((event) => received.has(event.id)) ? true : undefined;
  }, 180_000, 250);
  const storedIds = new Set(stored.map((event) => event.id));
  const lost = plans.flatMap((plan) => plan.eventIds).filter((id) => !storedIds.has(id)).length;
  const abandonedLine = first.stdoutLines.find((line) => line.includes(abandonedMessage));

  recordFigures("shutdown-timeout", "Shutdown timeout: a batch in hand and a request that cannot finish", {
    callbacksSent: answers.length,
    acknowledged: answers.filter((answer) => answer.status === 200).length,
    eventsStored: storedIds.size,
    eventsDelivered: new Set(sink.deliveries.map((delivery) => delivery.webhookId)).size,
    lost,
    notes: { shutdownTimeoutMs, stopMs, exitCode: exit, heldSinkRequests: sink.heldRequests, longestCallbackAnswerMs: longestAnswerMs(answers) },
  });
  // Ended by itself (not by the SIGKILL at the deadline), with code 1: it abandoned work.
  expect(exit).toBe(1);
  expect(stopMs).toBeLessThan(stopDeadlineMs);
  expect(abandonedLine, first.output()).toBeDefined();
  expect(JSON.parse(abandonedLine as string)).toMatchObject({ level: 50, pendingDeliveries: { http: expect.any(Number) } });
  expect(stalledResult.hung).toBe(false);
  expect(lost).toBe(0);
}, 900_000);
