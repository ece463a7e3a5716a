import { Router } from "express";
import type { AppMetrics } from "../metrics";

/** `GET /metrics`: Prometheus text. */
export function metricsRoutes(metrics: AppMetrics): Router {
  const router = Router();
  router.get("/metrics", async (_request, response) => {
    const text = await metrics.registry.metrics();
    response.type(metrics.registry.contentType).send(text);
  });
  return router;
}
