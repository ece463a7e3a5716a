import {
  type DecidedFriendRequest,
  type FriendEvent,
  type FriendRequestDecision,
  type FriendRequestPolicy,
  type PendingFriendRequest,
  type ProviderDecision,
  decideFriendRequest,
  normalizeFriendRequestDecision,
} from "@friendhook/core";
import type { OpenImAddFriendAgreeCallback, OpenImBeforeAddFriendCallback } from "./openim-callback-schemas";
import { type OpenImEventContext, openImHandleResults, requestAnsweredEvent, requestSentEvent } from "./openim-events";
import { openImProvider } from "./openim-provider";

/** A decision OpenIM can be told: a denial always carries the `errCode` and `errMsg` its client will see. */
export type OpenImDecision = ProviderDecision;

export interface OpenImDecisionOptions {
  readonly decide: FriendRequestPolicy;
  readonly decisionDeadlineMs: number;
  readonly denialErrorCode: number;
}

const int32Maximum = 2_147_483_647;

const isDenialCode = (code: unknown): code is number =>
  typeof code === "number" && Number.isInteger(code) && code >= 1 && code <= int32Maximum;

/**
 * Makes whatever the policy returned into a decision OpenIM accepts. An answer that is not a decision
 * counts as a failed policy, which allows; a denial stays a denial, and only a code OpenIM could not
 * read (0 means success to it) is replaced by the configured one.
 */
export function normalizeOpenImDecision(decided: DecidedFriendRequest, denialErrorCode: number): OpenImDecision {
  return normalizeFriendRequestDecision(decided.decision, {
    isDenialCode,
    defaultCode: denialErrorCode,
    defaultReason: "The friend request was refused.",
  });
}

/** A before-callback once decided: the events of what may now happen, and the answer for OpenIM. */
export interface DecidedOpenImCallback {
  readonly events: FriendEvent[];
  readonly decision: OpenImDecision;
  readonly decidedBy: DecidedFriendRequest["decidedBy"];
}

/** Asks the policy about one request of the callback's app, within the deadline. */
async function decide(
  context: OpenImEventContext,
  request: Omit<PendingFriendRequest, "provider" | "appId">,
  options: OpenImDecisionOptions,
): Promise<Pick<DecidedOpenImCallback, "decision" | "decidedBy">> {
  const pending: PendingFriendRequest = {
    provider: openImProvider,
    appId: context.appId,
    ...request,
    ...(context.callbackId ? { callbackId: context.callbackId() } : {}),
  };
  const decided = await decideFriendRequest(options.decide, pending, options.decisionDeadlineMs);
  return { decision: normalizeOpenImDecision(decided, options.denialErrorCode), decidedBy: decided.decidedBy };
}

/**
 * `callbackBeforeAddFriendCommand`: asks the policy whether `fromUserID` may ask `toUserID`. An allowed
 * request becomes `friend.request.sent`, with the id the after-callback of the same call gives it; a
 * denied request never happens, so no event describes it.
 */
export async function decideBeforeAddFriend(
  callback: OpenImBeforeAddFriendCallback,
  context: OpenImEventContext,
  options: OpenImDecisionOptions,
): Promise<DecidedOpenImCallback> {
  const { decision, decidedBy } = await decide(
    context,
    { stage: "request", actor: callback.fromUserID, target: callback.toUserID, ...(callback.reqMsg ? { message: callback.reqMsg } : {}) },
    options,
  );
  return { events: decision.allow ? [requestSentEvent(callback, context)] : [], decision, decidedBy };
}

/**
 * `callbackBeforeAddFriendAgreeCommand`: asks the policy whether `toUserID` may accept the request of
 * `fromUserID`. OpenIM sends it only for acceptances; an allowed one becomes `friend.request.accepted`.
 */
export async function decideBeforeAddFriendAgree(
  callback: OpenImAddFriendAgreeCallback,
  context: OpenImEventContext,
  options: OpenImDecisionOptions,
): Promise<DecidedOpenImCallback> {
  const accepting = callback.handleResult !== openImHandleResults.refuse;
  const { decision, decidedBy } = await decide(
    context,
    { stage: "response", actor: callback.toUserID, target: callback.fromUserID, accepting, ...(callback.handleMsg ? { message: callback.handleMsg } : {}) },
    options,
  );
  return { events: decision.allow ? [requestAnsweredEvent(callback, context)] : [], decision, decidedBy };
}
