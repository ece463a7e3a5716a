import { buildEasemobCallback } from "@friendhook/easemob";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";
import { type WebhookRecorder, startWebhookRecorder, webhookSecret } from "./support/webhook-recorder";

const { easemobSecret, easemobAppKey } = testCredentials;

let app: RunningApp | undefined;
let recorder: WebhookRecorder | undefined;
afterEach(async () => {
  await app?.stop();
  await recorder?.stop();
  app = undefined;
  recorder = undefined;
});

/** A signed Easemob friend request from `user-N` to bob: one event each. */
function friendRequest(index: number) {
  return buildEasemobCallback({
    secret: easemobSecret,
    appKey: easemobAppKey,
    operation: "add",
    from: `${easemobAppKey}_user-${index}@easemob.com`,
    to: "bob",
    messageId: `outage-${index}`,
    timestamp: 1_700_000_000_000 + index * 1000,
  });
}

async function metricsText(url: string): Promise<string> {
  return (await request(`${url}/metrics`)).body as string;
}

/** The value of a metric line such as `friendhook_delivery_failures_total{sink="http"} 3`, 0 when absent. */
function metricValue(text: string, line: string): number {
  const match = new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

describe("an HTTP sink whose server stops and starts again during delivery", () => {
  it("loses nothing: every stored event arrives once the server is back", async () => {
    recorder = await startWebhookRecorder();
    app = await startApp(
      { EASEMOB_SECRET: easemobSecret, EASEMOB_APPKEY: easemobAppKey, FRIENDHOOK_SINKS: recorder.url, FRIENDHOOK_HTTP_SINK_SECRET: webhookSecret },
      // Small batches and short backoffs, so that the outage falls in the middle of the stream and
      // the retries come soon after it; attempts enough that nothing is dead-lettered meanwhile.
      { batchSize: 3, initialBackoffMs: 20, maximumBackoffMs: 200, maximumAttempts: 1000, pollIntervalMs: 20 },
    );
    const url = app.url;
    const sent = Array.from({ length: 60 }, (_, index) => friendRequest(index));

    // The first part of the stream, until the server has taken some of it.
    for (const callback of sent.slice(0, 20)) expect((await sendCallback(url, "easemob", callback)).status).toBe(200);
    await waitFor(() => (recorder!.arrivals.length >= 5 ? true : undefined), "the first webhooks");

    // The server goes away, cutting what is in flight; the stream goes on meanwhile.
    await recorder.stop();
    for (const callback of sent.slice(20, 40)) expect((await sendCallback(url, "easemob", callback)).status).toBe(200);
    await waitFor(
      async () => (metricValue(await metricsText(url), 'friendhook_delivery_failures_total{sink="http"}') >= 2 ? true : undefined),
      "deliveries to fail while the server is down",
    );

    await recorder.restart();
    for (const callback of sent.slice(40)) expect((await sendCallback(url, "easemob", callback)).status).toBe(200);

    const stored = (await request(`${url}/api/events?limit=1000`)).body.events as Array<{ id: string }>;
    expect(stored).toHaveLength(60);
    const storedIds = new Set(stored.map((event) => event.id));
    // Done when nothing is pending any more: delivered (completed in the store) or dead-lettered.
    const receiver = app.application.receiver;
    await waitFor(
      async () => ((await receiver.deliveryCounts()).every((count) => count.pending === 0) ? true : undefined),
      "every delivery to be done",
      30_000,
    );
    expect((await receiver.deliveryCounts()).filter((count) => count.deadLettered > 0)).toEqual([]);
    // At least once: an event cut in flight may arrive twice, but the set of ids is exactly the stored one.
    expect(new Set(recorder.arrivals)).toEqual(storedIds);
    expect(recorder.refused).toBe(0);
  });
});
