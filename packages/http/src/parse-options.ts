import { FriendhookError } from "@friendhook/core";
import type { z } from "zod";

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join(".") : "options"}: ${issue.message}`)
    .join("; ");
}

/**
 * Validates options once, at construction: a mistyped option fails loudly (`misconfigured`) with a
 * message naming every wrong key. Issue messages name keys and expectations, never the values given,
 * so a connection string with a password cannot leak through them.
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, input: unknown, subject: string): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new FriendhookError("misconfigured", `Invalid ${subject} options: ${describeIssues(parsed.error)}.`);
  }
  return parsed.data;
}
