/**
 * "Before" callbacks (Tencent `Sns.CallbackPrevFriendAdd` / `Sns.CallbackPrevFriendResponse`,
 * OpenIM's before-add) wait for the application to allow or deny a friend request. The adapter asks
 * the application's policy, bounded by a deadline after which the provider's own default (allow)
 * applies, writes the decision into its acknowledgement, and emits `friend.request.*` events only
 * for what the decision lets happen.
 */
export interface PendingFriendRequest {
  readonly provider: string;
  readonly appId: string;
  /** `request`: someone asks to add a friend. `response`: someone answers a request. */
  readonly stage: "request" | "response";
  /** The user who acts now (the requester for `request`, the responder for `response`). */
  readonly actor: string;
  /** The other user. */
  readonly target: string;
  /** For `response`: whether the responder accepts. */
  readonly accepting?: boolean;
  /** The request text, when the provider gives it. */
  readonly message?: string;
  /** The id under which the receiver keeps the callback the request came in (`callbackIdOf`), when the adapter tells it. */
  readonly callbackId?: string;
}

export type FriendRequestDecision =
  | { readonly allow: true }
  | {
      readonly allow: false;
      /** A provider-specific refusal code (Tencent: an integer in [38000, 39000]). */
      readonly code?: number;
      readonly reason?: string;
    };

export type FriendRequestPolicy = (
  request: PendingFriendRequest,
) => FriendRequestDecision | Promise<FriendRequestDecision>;

export const allowAllFriendRequests: FriendRequestPolicy = () => ({ allow: true });

export interface DecidedFriendRequest {
  readonly decision: FriendRequestDecision;
  /** How the decision was reached: the policy answered, ran out of time, or threw. */
  readonly decidedBy: "policy" | "deadline" | "policy_error";
}

/**
 * Runs the policy for one pending request, bounded by `deadlineMs`. A policy that is too slow or
 * throws yields `fallback` (by default: allow, which is what the provider does when nobody answers).
 */
export async function decideFriendRequest(
  policy: FriendRequestPolicy,
  request: PendingFriendRequest,
  deadlineMs: number,
  fallback: FriendRequestDecision = { allow: true },
): Promise<DecidedFriendRequest> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DecidedFriendRequest>((resolve) => {
    timer = setTimeout(() => resolve({ decision: fallback, decidedBy: "deadline" }), deadlineMs);
    timer.unref?.();
  });
  const answer = (async (): Promise<DecidedFriendRequest> => {
    try {
      return { decision: await policy(request), decidedBy: "policy" };
    } catch {
      return { decision: fallback, decidedBy: "policy_error" };
    }
  })();
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A decision a provider can be told: a denial always carries a code and a reason. */
export type ProviderDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly code: number; readonly reason: string };

/** What a provider accepts in a denial, for `normalizeFriendRequestDecision`. */
export interface DenialRules {
  /** Whether the provider accepts `code` as a denial code. */
  readonly isDenialCode: (code: unknown) => code is number;
  /** The code of a denial that names none the provider accepts. */
  readonly defaultCode: number;
  /** The reason of a denial that names none. */
  readonly defaultReason: string;
}

/**
 * Makes whatever the policy returned into a decision the provider accepts. An answer that is not a
 * decision at all counts as a failed policy, which allows (the providers' own default); a denial
 * always stays a denial, and only a code the provider would not accept is replaced.
 */
export function normalizeFriendRequestDecision(decision: unknown, rules: DenialRules): ProviderDecision {
  if (decision === null || typeof decision !== "object") return { allow: true };
  const { allow, code, reason } = decision as { allow?: unknown; code?: unknown; reason?: unknown };
  if (allow !== false) return { allow: true };
  return {
    allow: false,
    code: rules.isDenialCode(code) ? code : rules.defaultCode,
    reason: typeof reason === "string" && reason.length > 0 ? reason : rules.defaultReason,
  };
}
