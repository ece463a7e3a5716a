import { afterAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type WebhookRecorder,
  createAppDeployment,
  firstOrderPerPair,
  httpSinkVariables,
  killRunningAppProcesses,
  planPairTraffic,
  providerVariables,
  readAllDeadLetters,
  readAllEvents,
  readMetrics,
  recordFigures,
  reliabilityCredentials,
  sendLikeAProvider,
  sleep,
  startWebhookRecorder,
  summarize,
  waitFor,
} from "../src/index";

let deployment: AppDeployment | undefined;
let recorder: WebhookRecorder | undefined;

afterAll(async () => {
  await deployment?.dispose();
  await recorder?.close();
  killRunningAppProcesses();
});

const pairs = 24;
const callbacksPerPair = 40;

describe("sink outage", () => {
  it("delivers everything once the sink's server is back (after 503s, then a closed port), in per-pair order, with no dead letters", async () => {
    recorder = await startWebhookRecorder(reliabilityCredentials.webhookSecret);
    deployment = createAppDeployment({ ...providerVariables(), ...httpSinkVariables(recorder.url) });
    const { url } = await deployment.start();
    const plans = await planPairTraffic({ pairs, callbacksPerPair, runId: String(Date.now()) });
    const sink = recorder;

    let acknowledged = 0;
    const outage = { startedAt: 0, closedAt: 0, endedAt: 0 };
    // Under load, the sink's server answers 503 (Retry-After: 1), then closes its port, then comes
    // back: each phase lasts a while in acknowledged callbacks and in time, and fewer attempts than
    // the app's ten, so that nothing may be given up on.
    const downstream = (async () => {
      await waitFor("100 acknowledged callbacks", () => (acknowledged >= 100 ? true : undefined), 180_000, 5);
      sink.mode = "unavailable";
      outage.startedAt = Date.now();
      await waitFor("400 acknowledged callbacks", () => (acknowledged >= 400 ? true : undefined), 180_000, 5);
      await sleep(Math.max(0, outage.startedAt + 3000 - Date.now()));
      await sink.close();
      outage.closedAt = Date.now();
      await waitFor("700 acknowledged callbacks", () => (acknowledged >= 700 ? true : undefined), 180_000, 5);
      await sleep(Math.max(0, outage.closedAt + 3000 - Date.now()));
      sink.mode = "accept";
      await sink.reopen();
      outage.endedAt = Date.now();
    })();
    const records = await sendLikeAProvider(plans, {
      concurrency: 6,
      target: () => url,
      afterAttempt: (record) => {
        if (record.acknowledged) acknowledged += 1;
      },
    });
    await downstream;

    const stored = await readAllEvents(url);
    // The wait ends when the sink has every stored event, or after a while: what never comes is the finding.
    await waitFor("the sink to receive every stored event", () => {
      const received = new Set(sink.deliveries.map((delivery) => delivery.webhookId));
      return stored.every((event) => received.has(event.id)) ? true : undefined;
    }, 300_000, 250).catch(() => undefined);
    const deadLetters = await readAllDeadLetters(url);
    const failedBatches = (await readMetrics(url)).get('friendhook_delivery_failures_total{sink="http"}') ?? 0;
    const deliveredIds = new Set(sink.deliveries.map((delivery) => delivery.webhookId));
    const storedOrder = firstOrderPerPair(stored);
    const deliveredOrder = firstOrderPerPair(sink.deliveries.map((delivery) => delivery.event));
    const lost = stored.filter((event) => !deliveredIds.has(event.id)).length;

    recordFigures("sink-outage", "Sink outage under load (HTTP sink: 503, then a closed port)", {
      ...summarize(records),
      eventsStored: stored.length,
      eventsDelivered: deliveredIds.size,
      duplicateDeliveries: sink.deliveries.length - deliveredIds.size,
      lost,
      notes: {
        pairs,
        outageMs: outage.endedAt - outage.startedAt,
        answered503: sink.refusedRequests,
        failedDeliveryBatches: failedBatches,
        deadLetters: deadLetters.length,
      },
    });

    expect(records.every((record) => record.acknowledged)).toBe(true);
    // The outage was real: the server refused requests, and the app counted failed batches.
    expect(sink.refusedRequests).toBeGreaterThan(0);
    expect(failedBatches).toBeGreaterThan(0);
    expect(sink.badSignatures).toBe(0);
    expect(lost).toBe(0);
    expect(deadLetters).toEqual([]);
    expect(deliveredIds.size).toBe(stored.length);
    expect(storedOrder.size).toBe(pairs);
    for (const [pair, ids] of storedOrder) expect(deliveredOrder.get(pair), pair).toEqual(ids);
  });
});
