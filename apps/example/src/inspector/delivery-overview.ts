import { activityWindowMs } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { querySchema, readQuery } from "../routes/read-query";

/**
 * `GET /api/delivery`: for each configured sink, where its deliveries stand (pending, retrying,
 * dead-lettered, failed attempts, the oldest pending event's receive time), and the events stored
 * and deliveries completed per second over the last hour. Every figure comes from an index range
 * or the per-second counts, never from reading every delivery.
 */
export function deliveryOverviewRoutes(readApi: ReadApi, sinkNames: readonly string[]): Router {
  const router = Router();
  router.get("/api/delivery", async (request, response) => {
    readQuery(querySchema({}), request);
    const now = Date.now();
    const [sinks, activity] = await Promise.all([readApi.deliveryStatistics({ sinks: sinkNames }), readApi.activity({ since: now - activityWindowMs })]);
    response.json({ now: new Date(now).toISOString(), windowMs: activityWindowMs, sinks, activity });
  });
  return router;
}
