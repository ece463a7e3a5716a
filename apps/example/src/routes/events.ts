import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { PageQueryShape, querySchema, readPage, readQuery } from "./read-query";

const EventsQuerySchema = querySchema(PageQueryShape);

/** `GET /api/events?limit=N&after=CURSOR`: the stored events, in the order they were stored. */
export function eventRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/events", async (request, response) => {
    const query = readQuery(EventsQuerySchema, request);
    const page = await readPage(() => readApi.events(query));
    response.json({ events: page.events, next: page.next ?? null });
  });
  return router;
}
