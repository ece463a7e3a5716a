/**
 * Who decided a pending friend request, as each decision is recorded: the block rule; the
 * operator's endpoint; `timeout` and `endpoint_error` when the endpoint did not decide and
 * FRIENDHOOK_DECISION_ON_TIMEOUT applied; `default` when no rule had anything to say (allow).
 */
export const decisionSources = ["block_rule", "endpoint", "timeout", "endpoint_error", "default"] as const;

export type DecisionSource = (typeof decisionSources)[number];
