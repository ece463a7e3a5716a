import { z } from "zod";

/**
 * An option that must be a function (a policy, a clock). Zod cannot check a function's signature,
 * so `message` says what is expected.
 */
export function functionOption<Function>(message: string) {
  return z.custom<Function>((value) => typeof value === "function", message);
}

/**
 * A secret, token or key as typed into a provider's console. Whitespace around it is refused rather
 * than trimmed: it almost always comes from a copy-and-paste or a line break in an environment
 * file, and a trimmed secret that happens to work would hide the mistake. `noun` names it in
 * messages ("secret", "token"); `whenEmpty` may add a hint.
 */
export function secretOption(noun: string, whenEmpty = "") {
  return z
    .string()
    .min(1, `a ${noun} is empty${whenEmpty}`)
    .refine((secret) => secret.trim() === secret, `a ${noun} has leading or trailing whitespace`);
}

/** One value, or several at once (secrets while one is rotated): read back with `listOf`. */
export function oneOrMany<Schema extends z.ZodType>(schema: Schema, noun: string) {
  return z.union([schema, z.array(schema).min(1, `name at least one ${noun}`)]);
}

/** The values of a `oneOrMany` option as a list; empty when the option is absent. */
export function listOf<Value>(value: Value | readonly Value[] | undefined): readonly Value[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly Value[]) : [value as Value];
}
