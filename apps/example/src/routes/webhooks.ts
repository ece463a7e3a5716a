import { FriendhookError, type ProviderDescriptor } from "@friendhook/core";
import type { Receiver } from "@friendhook/receiver";
import { createNodeHandler } from "@friendhook/receiver/node";
import { type RequestHandler, Router } from "express";
import type { AppMetrics } from "../metrics";

export interface WebhookRouteOptions {
  readonly receiver: Receiver;
  readonly metrics: AppMetrics;
  readonly bodyLimitBytes: number;
  /** Every provider offered: a route each, which answers `provider_not_configured` for those without an adapter. */
  readonly providers: readonly ProviderDescriptor[];
}

/** A provider without credentials answers 503 with a stable code, so the app starts all the same. */
function providerNotConfigured(provider: ProviderDescriptor, metrics: AppMetrics): RequestHandler {
  const error = new FriendhookError(
    "provider_not_configured",
    `${provider.title} callbacks are not configured on this receiver; set ${provider.turnedOnBy}.`,
    { provider: provider.name },
  );
  return (_request, response) => {
    metrics.countRefusedCallback(provider.name, error.code);
    response.status(error.status).json(error);
  };
}

/**
 * `/webhooks/<provider>` (`/webhooks/openim/<callbackCommand>`: a provider with `commandInPath`
 * posts below its route, and its adapter checks the segment): the receiver's node:http handler for
 * each configured provider, on an Express route of its own (so that metrics and logs name the route). Every method reaches the handler, so that a GET is told 405 (POST
 * only) rather than 404. No body parser runs before it: signatures and event ids are computed from
 * the raw bytes.
 */
export function webhookRoutes({ receiver, metrics, bodyLimitBytes, providers }: WebhookRouteOptions): Router {
  const router = Router();
  for (const provider of providers) {
    const handler = receiver.adapterNames.includes(provider.name)
      ? createNodeHandler(receiver, { adapter: provider.name, bodyLimitBytes })
      : providerNotConfigured(provider, metrics);
    router.all(`/webhooks/${provider.name}${provider.commandInPath ? "{/*command}" : ""}`, handler);
  }
  return router;
}
