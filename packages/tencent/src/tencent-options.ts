import { type FriendRequestPolicy, allowAllFriendRequests, functionOption, listOf, oneOrMany, parseOptions, secretOption } from "@friendhook/core";
import { z } from "zod";

/** Tencent waits 2 s for a "before" callback and then proceeds as if it had been allowed. */
export const tencentCallbackTimeoutMs = 2000;
export const defaultDecisionDeadlineMs = 1500;
export const defaultMaximumClockSkewSeconds = 60;

/**
 * The most changes one callback may carry. Tencent's largest documented batches: a user has at most
 * 3,000 friends, so deleting all of them both ways lists 6,000 pairs; one `friend_delete` names at
 * most 1,000 friends (2,000 pairs both ways); a blocklist holds at most 1,000 users. This leaves
 * headroom above the largest.
 */
export const defaultMaximumEventsPerCallback = 10_000;

const TokenSchema = secretOption("token", "; omit `token` to turn authentication off");

export const TencentAdapterOptionsSchema = z.strictObject({
  /** The SDKAppIDs this receiver serves; a callback for any other app is refused. */
  sdkAppIds: z
    .array(z.string().regex(/^\d+$/, "an SdkAppid is a string of digits, e.g. \"1400000000\""))
    .min(1, "name at least one SdkAppid"),
  /**
   * The callback authentication token from the Chat console; enables `Sign` verification. Several
   * tokens are accepted at once while the token is being rotated.
   */
  token: oneOrMany(TokenSchema, "token").optional(),
  /** How far `RequestTime` may lie from now, in seconds. */
  maximumClockSkewSeconds: z.number().int().positive().optional(),
  /** The application's policy for "before" callbacks; allows everything when absent. */
  decide: functionOption<FriendRequestPolicy>("decide must be a function (request) => decision").optional(),
  /** How long the policy may take for a whole callback, in milliseconds; below Tencent's 2 s timeout. */
  decisionDeadlineMs: z
    .number()
    .int()
    .positive()
    .max(tencentCallbackTimeoutMs - 1, `must be below ${tencentCallbackTimeoutMs} ms, Tencent's callback timeout`)
    .optional(),
  /** The most events one callback may make; a callback listing more changes is refused with `too_many_events` (413). */
  maximumEventsPerCallback: z.number().int().positive().optional(),
  /** The clock used to check `RequestTime`; for tests. */
  now: functionOption<() => Date>("now must be a function returning a Date").optional(),
});

export type TencentAdapterOptions = z.input<typeof TencentAdapterOptionsSchema>;

/** @deprecated The former name of `TencentAdapterOptions`; it will be removed in the next major version. */
export type TencentAdapterSettings = TencentAdapterOptions;

/** The options with every default applied. */
export interface ResolvedTencentOptions {
  readonly sdkAppIds: ReadonlySet<string>;
  /** Empty when no token is configured. */
  readonly tokens: readonly string[];
  readonly maximumClockSkewSeconds: number;
  readonly maximumEventsPerCallback: number;
  readonly decide: FriendRequestPolicy;
  readonly decisionDeadlineMs: number;
  readonly now: () => Date;
}

/** Validates the options once, at construction, so that a mistyped option fails loudly. */
export function resolveTencentOptions(input: TencentAdapterOptions): ResolvedTencentOptions {
  const options = parseOptions(TencentAdapterOptionsSchema, input, "Tencent adapter", { provider: "tencent" });
  return {
    sdkAppIds: new Set(options.sdkAppIds),
    tokens: listOf(options.token),
    maximumClockSkewSeconds: options.maximumClockSkewSeconds ?? defaultMaximumClockSkewSeconds,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? defaultMaximumEventsPerCallback,
    decide: options.decide ?? allowAllFriendRequests,
    decisionDeadlineMs: options.decisionDeadlineMs ?? defaultDecisionDeadlineMs,
    now: options.now ?? (() => new Date()),
  };
}
