import type { ReadCallbackInput } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import { type Response, Router } from "express";
import { ApiError } from "./api-error";

/** Ids are short (`cb_…`, `evt_…`, `unr_…`); a longer one names nothing stored. */
const maximumIdLength = 200;

async function sendCallback(readApi: ReadApi, input: ReadCallbackInput, what: string, response: Response): Promise<void> {
  const id = "callbackId" in input ? input.callbackId : input.eventId;
  const callback = id.length > maximumIdLength ? undefined : await readApi.callback(input);
  if (!callback) throw new ApiError("not_found", `No callback is kept for ${what} ${JSON.stringify(id.slice(0, 80))}.`);
  response.json({ callback });
}

/**
 * `GET /api/callbacks/ID`: a kept callback (its body without signature material, and why it was not
 * mapped when it was not). `GET /api/events/ID/callback`: the callback an event came from. 404 when
 * none is kept (the event predates kept callbacks, or the receiver keeps no recognized bodies).
 */
export function callbackRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/callbacks/:callbackId", async (request, response) => {
    await sendCallback(readApi, { callbackId: request.params.callbackId }, "the id", response);
  });
  router.get("/api/events/:eventId/callback", async (request, response) => {
    await sendCallback(readApi, { eventId: request.params.eventId }, "the event", response);
  });
  return router;
}
