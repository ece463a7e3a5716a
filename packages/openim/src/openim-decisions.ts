import {
  type DecidedFriendRequest,
  type FriendEvent,
  type FriendRequestDecision,
  type FriendRequestPolicy,
  type PendingFriendRequest,
  decideFriendRequest,
} from "@friendhook/core";
import type { OpenImAddFriendAgreeCallback, OpenImBeforeAddFriendCallback } from "./openim-callback-schemas";
import { type OpenImEventContext, openImHandleResults, openImProvider, requestAnsweredEvent, requestSentEvent } from "./openim-events";

/** A decision OpenIM can be told: a denial always carries the `errCode` and `errMsg` its client will see. */
export type OpenImDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly code: number; readonly reason: string };

export interface OpenImDecisionSettings {
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
  const decision: unknown = decided.decision;
  if (decision === null || typeof decision !== "object") return { allow: true };
  const { allow, code, reason } = decision as { allow?: unknown; code?: unknown; reason?: unknown };
  if (allow !== false) return { allow: true };
  return {
    allow: false,
    code: isDenialCode(code) ? code : denialErrorCode,
    reason: typeof reason === "string" && reason.length > 0 ? reason : "The friend request was refused.",
  };
}

/** A before-callback once decided: the events of what may now happen, and the answer for OpenIM. */
export interface DecidedOpenImCallback {
  readonly events: FriendEvent[];
  readonly decision: OpenImDecision;
  readonly decidedBy: DecidedFriendRequest["decidedBy"];
}

async function decide(
  pending: PendingFriendRequest,
  settings: OpenImDecisionSettings,
): Promise<Pick<DecidedOpenImCallback, "decision" | "decidedBy">> {
  const decided = await decideFriendRequest(settings.decide, pending, settings.decisionDeadlineMs);
  return { decision: normalizeOpenImDecision(decided, settings.denialErrorCode), decidedBy: decided.decidedBy };
}

/**
 * `callbackBeforeAddFriendCommand`: asks the policy whether `fromUserID` may ask `toUserID`. An allowed
 * request becomes `friend.request.sent`, with the id the after-callback of the same call gives it; a
 * denied request never happens, so no event describes it.
 */
export async function decideBeforeAddFriend(
  callback: OpenImBeforeAddFriendCallback,
  context: OpenImEventContext,
  settings: OpenImDecisionSettings,
): Promise<DecidedOpenImCallback> {
  const pending: PendingFriendRequest = {
    provider: openImProvider,
    appId: context.appId,
    stage: "request",
    actor: callback.fromUserID,
    target: callback.toUserID,
    ...(callback.reqMsg ? { message: callback.reqMsg } : {}),
  };
  const { decision, decidedBy } = await decide(pending, settings);
  return { events: decision.allow ? [requestSentEvent(callback, context)] : [], decision, decidedBy };
}

/**
 * `callbackBeforeAddFriendAgreeCommand`: asks the policy whether `toUserID` may accept the request of
 * `fromUserID`. OpenIM sends it only for acceptances; an allowed one becomes `friend.request.accepted`.
 */
export async function decideBeforeAddFriendAgree(
  callback: OpenImAddFriendAgreeCallback,
  context: OpenImEventContext,
  settings: OpenImDecisionSettings,
): Promise<DecidedOpenImCallback> {
  const pending: PendingFriendRequest = {
    provider: openImProvider,
    appId: context.appId,
    stage: "response",
    actor: callback.toUserID,
    target: callback.fromUserID,
    accepting: callback.handleResult !== openImHandleResults.refuse,
    ...(callback.handleMsg ? { message: callback.handleMsg } : {}),
  };
  const { decision, decidedBy } = await decide(pending, settings);
  return { events: decision.allow ? [requestAnsweredEvent(callback, context)] : [], decision, decidedBy };
}
