import { functionOption, listOf, oneOrMany, parseOptions, secretOption } from "@friendhook/core";
import { z } from "zod";
import { __nameCamel__Provider } from "./__name__-provider";

// TODO(__name__): use the provider's own defaults: how far its signed timestamps may drift, for one.
export const defaultMaximumClockSkewSeconds = 300;

/**
 * TODO(__name__): the most events one callback may make: the provider's largest documented batch
 * (the most pairs one callback can list), with headroom, and name the source in the README. This
 * skeleton's fictional provider sends one change per callback, which makes at most two events.
 */
export const defaultMaximumEventsPerCallback = 1_000;

/**
 * Strict on purpose: a mistyped option must fail at construction, never turn a check off silently.
 * TODO(__name__): name each option as the provider's console names it, and document it in the README.
 */
export const __Name__AdapterOptionsSchema = z.strictObject({
  /** The signing secret from the provider's console; several while one is rotated. */
  secret: oneOrMany(secretOption("secret"), "secret"),
  /** The apps this receiver serves; a callback for any other app is refused. All apps when absent. */
  appIds: z.array(z.string().min(1)).min(1, "name at least one app id, or omit appIds").optional(),
  /** How far the signed timestamp may lie from now, in seconds. */
  maximumClockSkewSeconds: z.number().int().positive().optional(),
  /** The most events one callback may make; a callback that would make more is refused with `too_many_events` (413). */
  maximumEventsPerCallback: z.number().int().positive().optional(),
  /** The clock used to check timestamps; for tests. */
  now: functionOption<() => Date>("now must be a function returning a Date").optional(),
});

export type __Name__AdapterOptions = z.input<typeof __Name__AdapterOptionsSchema>;

/** The options with every default applied. */
export interface Resolved__Name__Options {
  readonly secrets: readonly string[];
  readonly appIds: ReadonlySet<string> | undefined;
  readonly maximumClockSkewSeconds: number;
  readonly maximumEventsPerCallback: number;
  readonly now: () => Date;
}

/** Validates the options once, at construction. Messages name the option, never its value. */
export function resolve__Name__Options(input: __Name__AdapterOptions): Resolved__Name__Options {
  const options = parseOptions(__Name__AdapterOptionsSchema, input, "__Title__ adapter", { provider: __nameCamel__Provider });
  return {
    secrets: listOf(options.secret),
    appIds: options.appIds === undefined ? undefined : new Set(options.appIds),
    maximumClockSkewSeconds: options.maximumClockSkewSeconds ?? defaultMaximumClockSkewSeconds,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? defaultMaximumEventsPerCallback,
    now: options.now ?? (() => new Date()),
  };
}
