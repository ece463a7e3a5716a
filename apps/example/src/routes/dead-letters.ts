import { isFriendhookError } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import express, { type Request, Router } from "express";
import { ApiError } from "./api-error";
import { PageQueryShape, QueryTextSchema, querySchema, readPage, readQuery } from "./read-query";

const DeadLettersQuerySchema = querySchema({ ...PageQueryShape, sink: QueryTextSchema.optional() });
const ReplayQuerySchema = querySchema({ sink: QueryTextSchema.optional(), deliveryId: QueryTextSchema.optional() });

/** The replay's parameters are in the query string: a body that says otherwise must not go unheard. */
function refuseBodyContent(request: Request): void {
  const body: unknown = request.body;
  const empty = body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) throw new ApiError("invalid_body", "The replay takes no body (send {} or nothing); name a sink with ?sink=NAME.");
}

/**
 * `GET /api/dead-letters`: deliveries that ran out of attempts. `POST /api/dead-letters/replay`
 * makes them due again (all, one sink's with `?sink=NAME`, or one with `?deliveryId=ID`) and answers how many; like every
 * change, it comes as `application/json` (see `refuseCrossSiteWrites`).
 */
export function deadLetterRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/dead-letters", async (request, response) => {
    const query = readQuery(DeadLettersQuerySchema, request);
    const page = await readPage(() => readApi.deadLetters(query));
    response.json({ deadLetters: page.deadLetters, next: page.next ?? null });
  });
  router.post("/api/dead-letters/replay", express.json({ limit: "1kb" }), async (request, response) => {
    const query = readQuery(ReplayQuerySchema, request);
    refuseBodyContent(request);
    const replayed = await readApi
      .replayDeadLetters({
        ...(query.sink !== undefined && { sink: query.sink }),
        ...(query.deliveryId !== undefined && { deliveryIds: [query.deliveryId] }),
      })
      .catch((error: unknown) => {
        // A delivery id this store did not hand out is the client's mistake.
        if (isFriendhookError(error) && error.status < 500) throw new ApiError("invalid_query", `deliveryId: ${error.message}`);
        throw error;
      });
    response.json({ replayed });
  });
  return router;
}
