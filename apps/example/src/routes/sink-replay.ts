import express, { Router } from "express";
import { z } from "zod";
import type { SinkBackfills } from "../sink-backfills";
import { ApiError } from "./api-error";

const sequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
// Strict: a misspelt field (`from`) must not go unheard and replay another range.
const ReplayBodySchema = z.strictObject({ fromSequence: sequence, toSequence: sequence });

/**
 * `POST /api/sinks/:name/replay` with `{ "fromSequence": n, "toSequence": m }`: the stored events
 * of that range (both ends included, pruned ones gone) are delivered again to that sink, in the
 * background and in the events' order, each with its own id for consumers that dedupe. Answers
 * 202 with the range as recorded: it ends at the last event stored by then, since later ones are
 * delivered anyway.
 */
export function sinkReplayRoutes(backfills: SinkBackfills, sinkNames: readonly string[]): Router {
  const router = Router();
  router.post("/api/sinks/:name/replay", express.json({ limit: "1kb" }), async (request, response) => {
    const sink = request.params.name ?? "";
    if (!sinkNames.includes(sink)) {
      throw new ApiError("unknown_sink", `No sink is named "${sink.slice(0, 40)}"; configured: ${sinkNames.join(", ")}.`);
    }
    const body = ReplayBodySchema.safeParse(request.body);
    if (!body.success) {
      throw new ApiError("invalid_body", 'The replay takes { "fromSequence": n, "toSequence": m }: two whole numbers, 0 or more, and nothing else.');
    }
    const { fromSequence, toSequence } = body.data;
    if (fromSequence > toSequence) throw new ApiError("invalid_range", `fromSequence (${fromSequence}) is after toSequence (${toSequence}).`);
    const replay = await backfills.replay({ sink, fromSequence, toSequence });
    response.status(202).json({ replay: { sink, fromSequence: replay.fromSequence, toSequence: replay.toSequence } });
  });
  return router;
}
