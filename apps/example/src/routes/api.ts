import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import type { ApiConfiguration } from "../config/configuration";
import { requireBearerToken } from "./bearer-token";
import { callbackRoutes } from "./callbacks";
import { deadLetterRoutes } from "./dead-letters";
import { decisionRoutes } from "./decisions";
import { eventRoutes } from "./events";
import { inspectorApiRoutes } from "../inspector/inspector-api";
import { friendRoutes } from "./friends";
import { refuseCrossSiteWrites } from "./json-writes";
import type { SinkBackfills } from "../sink-backfills";
import { sinkReplayRoutes } from "./sink-replay";
import { unrecognizedRoutes } from "./unrecognized";

/**
 * The read and admin API, every route under `/api`. Its guards are mounted on the prefix itself,
 * ahead of the routes: whatever is served under `/api` (in any letter case), now or added later,
 * passes the token check and the cross-site check first, and a path that matches no route gets
 * 401 rather than telling a stranger which routes exist.
 */
export function apiRoutes(readApi: ReadApi, api: ApiConfiguration, sinkNames: readonly string[], backfills: SinkBackfills): Router {
  const router = Router();
  if (api.tokens !== undefined) router.use("/api", requireBearerToken(api.tokens, "friendhook"));
  router.use("/api", refuseCrossSiteWrites);
  router.use(eventRoutes(readApi));
  router.use(friendRoutes(readApi));
  router.use(deadLetterRoutes(readApi));
  router.use(sinkReplayRoutes(backfills, sinkNames));
  router.use(unrecognizedRoutes(readApi));
  router.use(decisionRoutes(readApi));
  router.use(callbackRoutes(readApi));
  router.use(inspectorApiRoutes(readApi, sinkNames));
  return router;
}
