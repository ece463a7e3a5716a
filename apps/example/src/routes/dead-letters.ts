import type { Receiver } from "@friendhook/receiver";
import { Router } from "express";
import { PageQueryShape, QueryTextSchema, querySchema, readPage, readQuery } from "./read-query";

const DeadLettersQuerySchema = querySchema({ ...PageQueryShape, sink: QueryTextSchema.optional() });
const ReplayQuerySchema = querySchema({ sink: QueryTextSchema.optional() });

/**
 * `GET /api/dead-letters`: deliveries that ran out of attempts. `POST /api/dead-letters/replay`
 * makes them due again (all, or one sink's with `?sink=NAME`) and answers how many.
 */
export function deadLetterRoutes(receiver: Receiver): Router {
  const router = Router();
  router.get("/api/dead-letters", async (request, response) => {
    const query = readQuery(DeadLettersQuerySchema, request);
    const page = await readPage(() => receiver.deadLetters(query));
    response.json({ deadLetters: page.deadLetters, next: page.next ?? null });
  });
  router.post("/api/dead-letters/replay", async (request, response) => {
    const query = readQuery(ReplayQuerySchema, request);
    const replayed = await receiver.replayDeadLetters(query.sink === undefined ? {} : { sink: query.sink });
    response.json({ replayed });
  });
  return router;
}
