import type { z } from "zod";
import { FriendhookError } from "./friendhook-error";
import { describeSchemaIssues } from "./parse-options";

/**
 * Parses a callback body with a provider's tolerant schema. A body that does not fit is
 * `invalid_payload` (400): `refusal` says what it is not ("The body is not an OpenIM callback"),
 * and the message goes on with the first few reasons, however many there are, never a value.
 */
export function parseCallbackBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  provider: string,
  refusal: string,
): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issues = describeSchemaIssues(result.error, "body", { maximumIssues: 3 });
    throw new FriendhookError("invalid_payload", `${refusal}: ${issues}.`, { provider });
  }
  return result.data;
}
