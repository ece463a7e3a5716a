import type { UnrecognizedCallbackRecord, Receiver } from "@friendhook/receiver";
import { Router } from "express";
import { PageQueryShape, querySchema, readPage, readQuery } from "./read-query";

const UnrecognizedQuerySchema = querySchema(PageQueryShape);

/**
 * Easemob's `security` is md5(callId + secret + timestamp): with the other two fields beside it,
 * it would let a reader of this API attack the secret offline. The stored body keeps it; the
 * API shows it masked.
 */
function withoutSignature(record: UnrecognizedCallbackRecord): UnrecognizedCallbackRecord {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return record;
  }
  if (body === null || typeof body !== "object" || !("security" in body)) return record;
  return { ...record, body: JSON.stringify({ ...body, security: "[redacted]" }) };
}

/** `GET /api/unrecognized`: callbacks that were authenticated and acknowledged but not mapped to events. */
export function unrecognizedRoutes(receiver: Receiver): Router {
  const router = Router();
  router.get("/api/unrecognized", async (request, response) => {
    const query = readQuery(UnrecognizedQuerySchema, request);
    const page = await readPage(() => receiver.unrecognized(query));
    response.json({ unrecognized: page.callbacks.map(withoutSignature), next: page.next ?? null });
  });
  return router;
}
