import { randomUUID } from "node:crypto";
import type { FriendEventStore, FriendRequestDecision, FriendRequestPolicy, PendingFriendRequest, RecordedDecision } from "@friendhook/core";
import type { Logger } from "pino";
import type { DecisionConfiguration, DecisionEndpointConfiguration } from "../config/decision-settings";
import { blockRuleDenial } from "./block-rule";
import { askDecisionEndpoint } from "./decision-endpoint";
import type { DecisionEndpointRequest } from "./decision-endpoint-protocol";
import type { DecisionSource } from "./decision-source";
import { createRequestBatches } from "./request-batches";

interface Decided {
  readonly decision: FriendRequestDecision;
  readonly decidedBy: DecisionSource;
  /** Why, as recorded: a denial's reason, and also why something was allowed when it is known. */
  readonly reason?: string;
}

const allowedByDefault: Decided = { decision: { allow: true }, decidedBy: "default", reason: "no rule refused the request" };

export interface FriendRequestDecisions {
  /** The policy the adapters with "before" callbacks ask. */
  readonly decide: FriendRequestPolicy;
  /** The adapters' decision deadline: the endpoint's timeout and a margin to answer within. */
  readonly deadlineMs: number;
  /** Resolves once every decision made so far is recorded (or its recording failed and was logged). */
  recorded(): Promise<void>;
}

export interface FriendRequestDecisionsInput {
  readonly configuration: DecisionConfiguration;
  readonly store: Pick<FriendEventStore, "friendsOf" | "recordDecisions">;
  readonly logger: Logger;
}

/** What ON_TIMEOUT makes of a request the endpoint did not decide. */
function fallbackDecision(endpoint: DecisionEndpointConfiguration, reason: string): FriendRequestDecision {
  return endpoint.onTimeout === "allow" ? { allow: true } : { allow: false, reason };
}

/**
 * The app's decisions about pending friend requests, in this order: the block rule (when on)
 * refuses without asking anyone; the requests it lets through go, all those of one callback in one
 * signed request, to the operator's endpoint (when set), whose failure or silence within the
 * timeout makes FRIENDHOOK_DECISION_ON_TIMEOUT apply; with no endpoint, they are allowed. Every
 * decision is recorded with who made it and why, after the answer: recording never delays it.
 */
export function createFriendRequestDecisions({ configuration, store, logger }: FriendRequestDecisionsInput): FriendRequestDecisions {
  const recordings = new Set<Promise<void>>();

  const record = (decisions: RecordedDecision[]) => {
    const recording = store.recordDecisions(decisions).catch((error: unknown) => {
      logger.error({ err: error, decisions: decisions.length }, "could not record decisions about friend requests");
    });
    recordings.add(recording);
    void recording.then(() => recordings.delete(recording));
  };

  const blockRule = async (request: PendingFriendRequest): Promise<Decided | undefined> => {
    if (!configuration.blockRule) return undefined;
    try {
      const denial = await blockRuleDenial(store, request);
      return denial && { decision: denial, decidedBy: "block_rule", ...(denial.reason !== undefined && { reason: denial.reason }) };
    } catch (error) {
      // The friend table could not be read: the rules after this one still decide.
      logger.warn({ err: error }, "the block rule could not read the friend table");
      return undefined;
    }
  };

  const askEndpoint = async (requests: readonly DecisionEndpointRequest[], startedAt: number): Promise<Decided[]> => {
    const endpoint = configuration.endpoint;
    // Every request refused by the block rule: nothing to ask.
    if (requests.length === 0) return [];
    if (endpoint === undefined) return requests.map(() => allowedByDefault);
    // The timeout counts from the callback's arrival here: the block rule's time is part of it.
    const outcome = await askDecisionEndpoint(endpoint, requests, endpoint.timeoutMs - (performance.now() - startedAt));
    if (!outcome.answered) {
      logger.warn({ failure: outcome.failure, requests: requests.length }, `${outcome.reason}; FRIENDHOOK_DECISION_ON_TIMEOUT=${endpoint.onTimeout} applies`);
      return requests.map(() => ({ decision: fallbackDecision(endpoint, outcome.reason), decidedBy: outcome.failure, reason: outcome.reason }));
    }
    return requests.map((request): Decided => {
      const answer = outcome.decisions.get(request.id);
      if (answer === undefined) {
        const reason = "the decision endpoint gave no decision for the request";
        return { decision: fallbackDecision(endpoint, reason), decidedBy: "endpoint_error", reason };
      }
      const decision: FriendRequestDecision = answer.allow
        ? { allow: true }
        : { allow: false, ...(answer.reason !== undefined && { reason: answer.reason }), ...(answer.code !== undefined && { code: answer.code }) };
      return { decision, decidedBy: "endpoint", ...(answer.reason !== undefined && { reason: answer.reason }) };
    });
  };

  const decideBatch = async (requests: readonly PendingFriendRequest[]): Promise<FriendRequestDecision[]> => {
    const startedAt = performance.now();
    const identified = requests.map((request): DecisionEndpointRequest => ({ id: `dec_${randomUUID()}`, ...request }));
    const blocked = await Promise.all(identified.map(blockRule));
    const undecided = identified.filter((_, index) => blocked[index] === undefined);
    const asked = await askEndpoint(undecided, startedAt);
    const answers = new Map(undecided.map((request, index) => [request.id, asked[index]]));
    const decided = identified.map((request, index) => blocked[index] ?? answers.get(request.id) ?? allowedByDefault);
    const decidedAt = new Date().toISOString();
    record(
      identified.map((request, index): RecordedDecision => {
        const { decision, decidedBy, reason } = decided[index] ?? allowedByDefault;
        return {
          id: request.id,
          provider: request.provider,
          appId: request.appId,
          stage: request.stage,
          actor: request.actor,
          target: request.target,
          ...(request.accepting !== undefined && { accepting: request.accepting }),
          allow: decision.allow,
          decidedBy,
          ...(reason !== undefined && { reason }),
          ...(!decision.allow && decision.code !== undefined && { code: decision.code }),
          decidedAt,
          ...(request.callbackId !== undefined && { callbackId: request.callbackId }),
        };
      }),
    );
    return decided.map((entry) => entry.decision);
  };

  return {
    decide: createRequestBatches(decideBatch),
    deadlineMs: configuration.deadlineMs,
    async recorded() {
      while (recordings.size > 0) await Promise.all(recordings);
    },
  };
}
