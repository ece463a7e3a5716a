import { activityWindowMs } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { querySchema, readQuery } from "../routes/read-query";

/**
 * `GET /api/delivery`: for each configured sink, where its deliveries stand (pending, retrying,
 * dead-lettered, failed attempts, the oldest pending event's receive time), the events stored
 * and deliveries completed per second over the last hour, and the last stored event's sequence. Every figure comes from an index range
 * or the per-second counts, never from reading every delivery.
 */
export function deliveryOverviewRoutes(readApi: ReadApi, sinkNames: readonly string[]): Router {
  const router = Router();
  router.get("/api/delivery", async (request, response) => {
    readQuery(querySchema({}), request);
    const now = Date.now();
    const [sinks, activity, latest] = await Promise.all([
      readApi.deliveryStatistics({ sinks: sinkNames }),
      readApi.activity({ since: now - activityWindowMs }),
      readApi.latestEvents({ limit: 1 }),
    ]);
    // The sequence of the last stored event (the cursor after it): where a replayed range can end.
    const lastSequence = latest.next === undefined ? null : Number(latest.next);
    response.json({ now: new Date(now).toISOString(), windowMs: activityWindowMs, lastSequence, sinks, activity });
  });
  return router;
}
