import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { PageQueryShape, QueryTextSchema, querySchema, readPage, readQuery } from "./read-query";

const DecisionQuerySchema = querySchema({
  ...PageQueryShape,
  provider: QueryTextSchema.optional(),
  appId: QueryTextSchema.optional(),
  user: QueryTextSchema.optional(),
});

/**
 * `GET /api/decisions`: the decisions about pending friend requests, in the order they were made,
 * each with who made it (block_rule, endpoint, timeout, endpoint_error, default) and why;
 * `provider`, `appId` and `user` (as actor or target) narrow the list.
 */
export function decisionRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/decisions", async (request, response) => {
    const query = readQuery(DecisionQuerySchema, request);
    const page = await readPage(() => readApi.decisions(query));
    response.json({ decisions: page.decisions, next: page.next ?? null });
  });
  return router;
}
