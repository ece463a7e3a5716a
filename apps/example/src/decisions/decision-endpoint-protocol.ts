import type { PendingFriendRequest } from "@friendhook/core";
import { z } from "zod";

/** The `type` of the body the app POSTs to the decision endpoint. */
export const decisionRequestType = "friend.request.decision";

/** One pending request as the endpoint receives it; `id` is the id the decision is recorded under. */
export interface DecisionEndpointRequest extends PendingFriendRequest {
  readonly id: string;
}

/** The body POSTed to the endpoint: every pending request of one callback. */
export interface DecisionEndpointBody {
  readonly type: typeof decisionRequestType;
  readonly requests: readonly DecisionEndpointRequest[];
}

/**
 * The endpoint's answer: a decision per request id. Tolerant of what it adds (fields, decisions
 * for ids it was not asked about, which are ignored); strict on what it must say, `allow` as a
 * boolean. A `code` must suit the provider (Tencent: 38000 to 39000), or the adapter replaces it.
 */
export const DecisionEndpointAnswerSchema = z.looseObject({
  decisions: z.array(
    z.looseObject({
      id: z.string(),
      allow: z.boolean(),
      reason: z.string().max(500).optional(),
      code: z.number().int().optional(),
    }),
  ),
});

export type DecisionEndpointAnswer = z.output<typeof DecisionEndpointAnswerSchema>;
