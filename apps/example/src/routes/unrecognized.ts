import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { PageQueryShape, querySchema, readPage, readQuery } from "./read-query";

const UnrecognizedQuerySchema = querySchema(PageQueryShape);

/**
 * `GET /api/unrecognized`: callbacks that were authenticated and acknowledged but not mapped to
 * events, as the receiver kept them (the adapters leave signature material such as Easemob's
 * `security` out of the kept body).
 */
export function unrecognizedRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/unrecognized", async (request, response) => {
    const query = readQuery(UnrecognizedQuerySchema, request);
    const page = await readPage(() => readApi.unrecognized(query));
    response.json({ unrecognized: page.callbacks, next: page.next ?? null });
  });
  return router;
}
