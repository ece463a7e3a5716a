import { buildEasemobCallback } from "@friendhook/easemob";
import type { DeliveryOptions } from "@friendhook/receiver";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";
import { type WebhookRecorder, startWebhookRecorder, webhookSecret } from "./support/webhook-recorder";

const { easemobSecret, easemobAppKey } = testCredentials;

let app: RunningApp | undefined;
let endpoint: WebhookRecorder | undefined;
afterEach(async () => {
  await app?.stop();
  await endpoint?.stop();
  app = undefined;
  endpoint = undefined;
});

// Short waits, so that the attempts come one after the other; the attempts are each test's own.
const quickRetries = {
  FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "10",
  FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "50",
  FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "20",
};

/** Starts the app with an HTTP sink whose endpoint answers 500 to every webhook. */
async function startWithBrokenEndpoint(variables: Record<string, string>, delivery?: DeliveryOptions): Promise<RunningApp> {
  endpoint = await startWebhookRecorder({ status: 500 });
  app = await startApp(
    {
      EASEMOB_SECRET: easemobSecret,
      EASEMOB_APPKEY: easemobAppKey,
      FRIENDHOOK_SINKS: endpoint.url,
      FRIENDHOOK_HTTP_SINK_SECRET: webhookSecret,
      ...quickRetries,
      ...variables,
    },
    delivery,
  );
  return app;
}

async function sendFriendRequest(url: string): Promise<void> {
  const callback = buildEasemobCallback({
    secret: easemobSecret,
    appKey: easemobAppKey,
    operation: "add",
    from: `${easemobAppKey}_alice@easemob.com`,
    to: "bob",
  });
  expect((await sendCallback(url, "easemob", callback)).status).toBe(200);
}

async function firstDeadLetter(url: string): Promise<{ sink: string; attempts: number; lastError: string }> {
  return waitFor(async () => (await request(`${url}/api/dead-letters`)).body.deadLetters[0], "the event to be dead-lettered");
}

describe("the delivery settings of the environment", () => {
  it("FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS=2 dead-letters an event the endpoint keeps refusing after 2 attempts", async () => {
    const { url } = await startWithBrokenEndpoint({ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "2" });
    await sendFriendRequest(url);

    const deadLetter = await firstDeadLetter(url);
    expect(deadLetter).toMatchObject({ sink: "http", attempts: 2, lastError: "SinkError: HTTP sink: the endpoint answered 500." });
    const [event] = (await request(`${url}/api/events`)).body.events as Array<{ id: string }>;
    expect(endpoint!.arrivals).toEqual([event!.id, event!.id]);
  });

  it("yield, setting by setting, to the delivery option of createApp", async () => {
    const { url } = await startWithBrokenEndpoint({ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "2" }, { maximumAttempts: 3 });
    await sendFriendRequest(url);

    expect((await firstDeadLetter(url)).attempts).toBe(3);
    expect(endpoint!.arrivals).toHaveLength(3);
  });
});
