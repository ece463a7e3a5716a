import { FriendhookError } from "@friendhook/core";
import { createFriendhookMiddleware } from "@friendhook/express";
import type { Receiver } from "@friendhook/receiver";
import { type RequestHandler, Router } from "express";
import { providers } from "../adapters-from-config";
import type { AppMetrics } from "../metrics";

export interface WebhookRouteOptions {
  readonly receiver: Receiver;
  readonly metrics: AppMetrics;
  readonly bodyLimitBytes: number;
}

/** A provider without credentials answers 503 with a stable code, so the app starts all the same. */
function providerNotConfigured(provider: (typeof providers)[number], metrics: AppMetrics): RequestHandler {
  const error = new FriendhookError(
    "provider_not_configured",
    `${provider.title} callbacks are not configured on this receiver; set ${provider.requiredVariable}.`,
    { provider: provider.name },
  );
  return (_request, response) => {
    metrics.countRefusedCallback(provider.name, error.code);
    response.status(error.status).json(error);
  };
}

/**
 * `/webhooks/easemob`, `/webhooks/tencent` and `/webhooks/openim/<callbackCommand>`. Every method
 * reaches the handler, so that a GET is told 405 (POST only) rather than 404. No body parser runs
 * before it: signatures and event ids are computed from the raw bytes.
 */
export function webhookRoutes({ receiver, metrics, bodyLimitBytes }: WebhookRouteOptions): Router {
  const router = Router();
  for (const provider of providers) {
    const handler = receiver.adapterNames.includes(provider.name)
      ? createFriendhookMiddleware(receiver, { adapter: provider.name, bodyLimitBytes })
      : providerNotConfigured(provider, metrics);
    router.all(provider.route, handler);
  }
  return router;
}
