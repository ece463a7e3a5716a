import { type FriendRequestPolicy, allowAllFriendRequests, functionOption, listOf, oneOrMany, parseOptions, secretOption } from "@friendhook/core";
import { z } from "zod";

/** OpenIM has no app id of its own; events carry this one unless the options name another. */
export const defaultOpenImAppId = "openim";

/**
 * OpenIM's `webhooks.yml` gives each before-callback a `timeout` of 5 seconds by default. The policy
 * gets less, so that the answer reaches OpenIM before it gives up on the callback.
 */
export const defaultDecisionDeadlineMs = 3000;

/**
 * The most events one callback may make. Only an import lists several changes, and OpenIM documents
 * no maximum for `friendUserIDs` ("keep the count below the server request limit"); this matches the
 * Tencent adapter's default, whose largest documented batch (6,000 pairs) it leaves headroom above.
 * Every other OpenIM callback makes one or two events.
 */
export const defaultMaximumEventsPerCallback = 10_000;

/** OpenIM's own code for a failed callback (`servererrs.CallbackError`); clients see it on a denial. */
export const defaultDenialErrorCode = 80000;

const int32Maximum = 2_147_483_647;

const TokenSchema = secretOption("token", "; omit `token` to turn the check off");

export const OpenImAdapterOptionsSchema = z.strictObject({
  /** The `appId` of every event: OpenIM callbacks name no app, so name the deployment here. */
  appId: z.string().min(1, "appId is empty").optional(),
  /**
   * A shared token that callbacks must present as `Authorization: Bearer <token>` or as the password
   * of HTTP Basic authentication (`https://friendhook:<token>@host/…` in OpenIM's webhook URL). Several
   * tokens are accepted at once while one is being rotated. OpenIM signs nothing: without a token,
   * keep the receiver on a network only OpenIM can reach.
   */
  token: oneOrMany(TokenSchema, "token").optional(),
  /** The application's policy for before-callbacks; allows everything when absent. */
  decide: functionOption<FriendRequestPolicy>("decide must be a function (request) => decision").optional(),
  /** How long the policy may take, in milliseconds; keep it below the callback's `timeout` in OpenIM. */
  decisionDeadlineMs: z.number().int().positive().max(60_000, "must be at most 60000 ms").optional(),
  /** The `errCode` OpenIM returns to the client when a denial names no code of its own. */
  denialErrorCode: z
    .number()
    .int()
    .min(1, "0 means success to OpenIM; a denial needs another code")
    .max(int32Maximum, "OpenIM reads errCode as a 32-bit integer")
    .optional(),
  /** The most events one callback may make; an import listing more users is refused with `too_many_events` (413). */
  maximumEventsPerCallback: z.number().int().positive().optional(),
});

export type OpenImAdapterOptions = z.input<typeof OpenImAdapterOptionsSchema>;

/** @deprecated The former name of `OpenImAdapterOptions`; it will be removed in the next major version. */
export type OpenImAdapterSettings = OpenImAdapterOptions;

/** The options with every default applied. */
export interface ResolvedOpenImOptions {
  readonly appId: string;
  /** Empty when no token is configured. */
  readonly tokens: readonly string[];
  readonly decide: FriendRequestPolicy;
  readonly decisionDeadlineMs: number;
  readonly denialErrorCode: number;
  readonly maximumEventsPerCallback: number;
}

/** Validates the options once, at construction, so that a mistyped option fails loudly. */
export function resolveOpenImOptions(input: OpenImAdapterOptions = {}): ResolvedOpenImOptions {
  const options = parseOptions(OpenImAdapterOptionsSchema, input, "OpenIM adapter", { provider: "openim" });
  return {
    appId: options.appId ?? defaultOpenImAppId,
    tokens: listOf(options.token),
    decide: options.decide ?? allowAllFriendRequests,
    decisionDeadlineMs: options.decisionDeadlineMs ?? defaultDecisionDeadlineMs,
    denialErrorCode: options.denialErrorCode ?? defaultDenialErrorCode,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? defaultMaximumEventsPerCallback,
  };
}
