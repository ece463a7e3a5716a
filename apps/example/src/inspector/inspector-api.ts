import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { deliveryOverviewRoutes } from "./delivery-overview";
import { type EventStreamSettings, defaultEventStreamSettings, eventStreamRoutes } from "./event-stream";
import { userRelationRoutes } from "./user-relations";

/** The `/api` routes the inspector reads besides the read API's own; mounted behind the same guards. */
export function inspectorApiRoutes(readApi: ReadApi, sinkNames: readonly string[], streamSettings: EventStreamSettings = defaultEventStreamSettings): Router {
  const router = Router();
  router.use(eventStreamRoutes(readApi, streamSettings));
  router.use(userRelationRoutes(readApi));
  router.use(deliveryOverviewRoutes(readApi, sinkNames));
  return router;
}
