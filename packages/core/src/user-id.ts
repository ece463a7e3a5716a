import { z } from "zod";

/**
 * The longest user id an event may carry, in UTF-16 code units (JavaScript's `length`). The
 * providers document far less: Tencent 32 bytes, Easemob and Agora Chat 64 bytes, OpenIM 64
 * characters. The headroom leaves room for a provider that raises its limit; a longer "user id" is
 * input no provider sends.
 */
export const maximumUserIdLength = 256;

// C0 controls (NUL among them), DEL and C1 controls: no provider allows them in a user id, and
// PostgreSQL cannot store a NUL at all.
const userIdPattern = /^[^\u0000-\u001f\u007f-\u009f]+$/;
const userIdRule = new RegExp(`^[^\\u0000-\\u001f\\u007f-\\u009f]{1,${maximumUserIdLength}}$`);

/**
 * Whether `value` is a user id by the model's rule: 1 to `maximumUserIdLength` characters, no
 * control characters. One regular expression test: cheap enough for every event of every callback.
 */
export function isUserId(value: unknown): value is string {
  return typeof value === "string" && userIdRule.test(value);
}

export const UserIdSchema = z
  .string()
  .min(1)
  .max(maximumUserIdLength)
  .regex(userIdPattern, "must not contain control characters")
  .describe(`A bare user id, as the provider knows the user: 1 to ${maximumUserIdLength} characters, no control characters.`);
