import { parseOptions } from "@friendhook/core";
import { z } from "zod";

/**
 * Easemob retries a failed callback once, at once, and promises delivery within 30 s for 99.95 %
 * of callbacks: five minutes leave room for queueing and for a clock running a little off, and
 * keep the time a captured callback can be replayed short.
 */
export const defaultMaximumAgeSeconds = 300;

/** One roster callback makes at most two events (an accepted request: accepted, then added). */
export const defaultMaximumEventsPerCallback = 10;

/**
 * A callback rule's secret, as typed into the Easemob console. Whitespace is refused rather than
 * trimmed: it almost always comes from a copy-and-paste or a line break in an environment file,
 * and a trimmed secret that happens to work would hide the mistake.
 */
const SecretSchema = z
  .string()
  .min(1, "the secret is empty")
  .refine(
    (secret) => !/\s/.test(secret),
    "the secret contains whitespace (a space or a line break); copy it from the Easemob console without them",
  );

const AppKeySchema = z
  .string()
  .regex(/^[^#\s]+#[^#\s]+$/, 'an app key has the form "org#app", e.g. "1112220101#demo"');

export const EasemobAdapterOptionsSchema = z
  .strictObject({
    /** The secret of the callback rule. */
    secret: SecretSchema.optional(),
    /** Several secrets at once: one per callback rule (up to four), or the old and new one while rotating. */
    secrets: z.array(SecretSchema).min(1, "name at least one secret").readonly().optional(),
    /** The app keys (`org#app`, any case) this receiver serves; a callback for any other app is refused. All when absent. */
    appKeys: z.array(AppKeySchema).min(1, "name at least one app key, or omit appKeys").readonly().optional(),
    /** Refuse callbacks whose `timestamp` lies further than this from the receive time, in seconds. */
    maximumAgeSeconds: z.number().positive().finite().optional(),
    /** The most events one callback may make; a callback that would make more is refused with `too_many_events` (413). */
    maximumEventsPerCallback: z.number().int().positive().optional(),
  })
  .superRefine(({ secret, secrets }, context) => {
    if (secret === undefined && secrets === undefined) {
      context.addIssue({ code: "custom", message: "give the callback rule's `secret`, or `secrets` for several" });
    }
    if (secret !== undefined && secrets !== undefined) {
      context.addIssue({ code: "custom", message: "give either `secret` or `secrets`, not both" });
    }
  });

export type EasemobAdapterOptions = z.input<typeof EasemobAdapterOptionsSchema>;

/** @deprecated The former name of `EasemobAdapterOptions`; it will be removed in the next major version. */
export type EasemobAdapterSettings = EasemobAdapterOptions;

/** The options with every default applied. */
export interface ResolvedEasemobOptions {
  readonly secrets: readonly string[];
  /**
   * The configured app keys by their lower-case form, as they are compared, each to its spelling
   * as configured, which is the one events carry. Undefined when every app key is accepted.
   */
  readonly appKeys: ReadonlyMap<string, string> | undefined;
  readonly maximumAgeMilliseconds: number;
  readonly maximumEventsPerCallback: number;
}

/** Validates the options once, at construction, so that a mistyped option fails loudly. */
export function resolveEasemobOptions(input: EasemobAdapterOptions): ResolvedEasemobOptions {
  const options = parseOptions(EasemobAdapterOptionsSchema, input, "Easemob adapter", { provider: "easemob" });
  return {
    secrets: options.secrets ?? (options.secret === undefined ? [] : [options.secret]),
    appKeys: options.appKeys === undefined ? undefined : new Map(options.appKeys.map((appKey) => [appKey.toLowerCase(), appKey])),
    maximumAgeMilliseconds: (options.maximumAgeSeconds ?? defaultMaximumAgeSeconds) * 1000,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? defaultMaximumEventsPerCallback,
  };
}
