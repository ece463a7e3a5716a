import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";

/** `GET /healthz`: 200 while the store answers a read, 503 otherwise (during shutdown, for one). */
export function healthRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/healthz", async (_request, response) => {
    try {
      await readApi.events({ limit: 1 });
      response.json({ status: "ok" });
    } catch {
      response.status(503).json({ status: "unavailable" });
    }
  });
  return router;
}
