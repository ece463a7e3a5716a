import {
  type DecidedFriendRequest,
  type FriendEvent,
  type FriendRequestDecision,
  type FriendRequestPolicy,
  type PendingFriendRequest,
  type DenialRules,
  decideFriendRequest,
  normalizeFriendRequestDecision,
} from "@friendhook/core";
import type { TencentPrevFriendAddCallback, TencentPrevFriendResponseCallback } from "./tencent-callback-schemas";
import { type TencentEventContext, requestAnsweredEvents, requestSentEvents, responseAccepts } from "./tencent-events";
import { tencentProvider } from "./tencent-provider";

/** Tencent reserves result codes 38000 to 39000 (inclusive) for the application's refusals. */
export const tencentDenialCodeRange = { minimum: 38000, maximum: 39000 } as const;

/**
 * The code a denial carries when the policy gives none, or one Tencent would not accept (outside
 * the range, or not an integer). A denial always stays a denial: only its code is replaced.
 */
export const defaultTencentDenialCode = tencentDenialCodeRange.minimum;

/** One entry of the `ResultItem` list that answers a "before" callback. */
export interface TencentResultItem {
  readonly To_Account: string;
  /** 0 lets the change happen; a code in [38000, 39000] refuses it. */
  readonly ResultCode: number;
  readonly ResultInfo: string;
}

export function isTencentDenialCode(code: unknown): code is number {
  return (
    typeof code === "number" &&
    Number.isInteger(code) &&
    code >= tencentDenialCodeRange.minimum &&
    code <= tencentDenialCodeRange.maximum
  );
}

/**
 * Makes whatever the policy returned into a decision Tencent accepts. An answer that is not a
 * decision at all counts as a failed policy: Tencent's own default, allow, applies.
 */
const tencentDenialRules: DenialRules = { isDenialCode: isTencentDenialCode, defaultCode: defaultTencentDenialCode, defaultReason: "" };

export function normalizeDecision(decided: DecidedFriendRequest): FriendRequestDecision {
  return normalizeFriendRequestDecision(decided.decision, tencentDenialRules);
}

/**
 * Asks the policy about every pending request at once, under one deadline for the whole callback:
 * each request gets what is left of it, so the callback is answered within `deadlineMs` however many
 * pairs it holds. A request the policy does not answer in time, or answers by throwing, is allowed.
 */
export async function decideTencentFriendRequests(
  policy: FriendRequestPolicy,
  requests: readonly PendingFriendRequest[],
  deadlineMs: number,
): Promise<FriendRequestDecision[]> {
  const deadline = performance.now() + deadlineMs;
  const decided = requests.map((request) =>
    decideFriendRequest(policy, request, Math.max(0, deadline - performance.now())),
  );
  return (await Promise.all(decided)).map(normalizeDecision);
}

export function toResultItem(target: string, decision: FriendRequestDecision): TencentResultItem {
  if (decision.allow) return { To_Account: target, ResultCode: 0, ResultInfo: "" };
  return {
    To_Account: target,
    ResultCode: decision.code ?? defaultTencentDenialCode,
    ResultInfo: decision.reason ?? "",
  };
}

export interface DecisionOptions {
  readonly decide: FriendRequestPolicy;
  readonly decisionDeadlineMs: number;
}

/** A "before" callback once decided: the events of what may happen, and the answer for Tencent. */
export interface DecidedCallback {
  readonly events: FriendEvent[];
  readonly resultItems: TencentResultItem[];
}

interface DecidedItem<Item> {
  readonly item: Item;
  readonly decision: FriendRequestDecision;
}

async function decideItems<Item extends { readonly To_Account: string }>(
  items: readonly Item[],
  pending: (item: Item) => PendingFriendRequest,
  options: DecisionOptions,
): Promise<DecidedItem<Item>[]> {
  const decisions = await decideTencentFriendRequests(options.decide, items.map(pending), options.decisionDeadlineMs);
  return items.map((item, index) => ({ item, decision: decisions[index] ?? { allow: true } }));
}

function answer<Item extends { readonly To_Account: string }>(decided: readonly DecidedItem<Item>[]) {
  return {
    allowed: decided.filter(({ decision }) => decision.allow).map(({ item }) => item),
    resultItems: decided.map(({ item, decision }) => toResultItem(item.To_Account, decision)),
  };
}

/**
 * `Sns.CallbackPrevFriendAdd`: asks the policy about each request. Only allowed requests become
 * `friend.request.sent`: a denied request never happens, so no event describes it.
 */
export async function decidePrevFriendAdd(
  callback: TencentPrevFriendAddCallback,
  context: TencentEventContext,
  options: DecisionOptions,
): Promise<DecidedCallback> {
  const decided = await decideItems(
    callback.FriendItem,
    (item) => ({
      provider: tencentProvider,
      appId: context.appId,
      stage: "request",
      actor: callback.From_Account,
      target: item.To_Account,
      ...(item.AddWording ? { message: item.AddWording } : {}),
      ...(context.callbackId ? { callbackId: context.callbackId() } : {}),
    }),
    options,
  );
  const { allowed, resultItems } = answer(decided);
  return { events: requestSentEvents(callback, allowed, context), resultItems };
}

/**
 * `Sns.CallbackPrevFriendResponse`: asks the policy about each answer. Only allowed answers become
 * `friend.request.accepted` or `friend.request.declined`.
 */
export async function decidePrevFriendResponse(
  callback: TencentPrevFriendResponseCallback,
  context: TencentEventContext,
  options: DecisionOptions,
): Promise<DecidedCallback> {
  const decided = await decideItems(
    callback.ResponseFriendItem,
    (item) => {
      const accepting = responseAccepts(item.ResponseAction);
      return {
        provider: tencentProvider,
        appId: context.appId,
        stage: "response",
        actor: callback.From_Account,
        target: item.To_Account,
        ...(accepting === undefined ? {} : { accepting }),
        ...(context.callbackId ? { callbackId: context.callbackId() } : {}),
      };
    },
    options,
  );
  const { allowed, resultItems } = answer(decided);
  return { events: requestAnsweredEvents(callback, allowed, context), resultItems };
}
