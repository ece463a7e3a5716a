import type { ReadApi } from "@friendhook/receiver";
import express, { type Request, Router } from "express";
import { ApiError } from "./api-error";
import { PageQueryShape, QueryTextSchema, querySchema, readPage, readQuery } from "./read-query";

const DeadLettersQuerySchema = querySchema({ ...PageQueryShape, sink: QueryTextSchema.optional() });
const ReplayQuerySchema = querySchema({ sink: QueryTextSchema.optional() });

/** The replay's parameters are in the query string: a body that says otherwise must not go unheard. */
function refuseBodyContent(request: Request): void {
  const body: unknown = request.body;
  const empty = body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) throw new ApiError("invalid_body", "The replay takes no body (send {} or nothing); name a sink with ?sink=NAME.");
}

/**
 * `GET /api/dead-letters`: deliveries that ran out of attempts. `POST /api/dead-letters/replay`
 * makes them due again (all, or one sink's with `?sink=NAME`) and answers how many; like every
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
    const replayed = await readApi.replayDeadLetters(query.sink === undefined ? {} : { sink: query.sink });
    response.json({ replayed });
  });
  return router;
}
