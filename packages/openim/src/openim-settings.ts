import { type FriendRequestPolicy, allowAllFriendRequests, parseOptions } from "@friendhook/core";
import { z } from "zod";

/** OpenIM has no app id of its own; events carry this one unless the settings name another. */
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

const isFunction = (value: unknown): boolean => typeof value === "function";

const TokenSchema = z
  .string()
  .min(1, "a token is empty; omit `token` to turn the check off")
  .refine((token) => token.trim() === token, "a token has leading or trailing whitespace");

export const OpenImAdapterSettingsSchema = z.strictObject({
  /** The `appId` of every event: OpenIM callbacks name no app, so name the deployment here. */
  appId: z.string().min(1, "appId is empty").optional(),
  /**
   * A shared token that callbacks must present as `Authorization: Bearer <token>` or as the password
   * of HTTP Basic authentication (`https://friendhook:<token>@host/…` in OpenIM's webhook URL). Several
   * tokens are accepted at once while one is being rotated. OpenIM signs nothing: without a token,
   * keep the receiver on a network only OpenIM can reach.
   */
  token: z.union([TokenSchema, z.array(TokenSchema).min(1, "name at least one token")]).optional(),
  /** The application's policy for before-callbacks; allows everything when absent. */
  decide: z.custom<FriendRequestPolicy>(isFunction, "decide must be a function (request) => decision").optional(),
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

export type OpenImAdapterSettings = z.input<typeof OpenImAdapterSettingsSchema>;

/** The settings with every default applied. */
export interface ResolvedOpenImSettings {
  readonly appId: string;
  /** Empty when no token is configured. */
  readonly tokens: readonly string[];
  readonly decide: FriendRequestPolicy;
  readonly decisionDeadlineMs: number;
  readonly denialErrorCode: number;
  readonly maximumEventsPerCallback: number;
}

/** Validates the settings once, at construction, so that a mistyped option fails loudly. */
export function resolveOpenImSettings(settings: OpenImAdapterSettings = {}): ResolvedOpenImSettings {
  const options = parseOptions(OpenImAdapterSettingsSchema, settings, "OpenIM adapter", {
    provider: "openim",
    noun: "settings",
  });
  return {
    appId: options.appId ?? defaultOpenImAppId,
    tokens: options.token === undefined ? [] : typeof options.token === "string" ? [options.token] : options.token,
    decide: options.decide ?? allowAllFriendRequests,
    decisionDeadlineMs: options.decisionDeadlineMs ?? defaultDecisionDeadlineMs,
    denialErrorCode: options.denialErrorCode ?? defaultDenialErrorCode,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? defaultMaximumEventsPerCallback,
  };
}
