import type { z } from "zod";
import { FriendhookError } from "./friendhook-error";

export interface DescribeSchemaIssuesOptions {
  /**
   * How many issues to name; the rest are counted. For input from outside (a callback body), so
   * that a body wrong in thousands of places still makes a short message. All when absent.
   */
  maximumIssues?: number;
}

/**
 * The issues of a failed parse as `path: message`, joined by "; ". `root` stands for an issue about
 * the whole input, which has no path. Zod's messages name keys and expectations, never the values
 * given, so neither does this.
 */
export function describeSchemaIssues(
  error: z.ZodError,
  root: string,
  options: DescribeSchemaIssuesOptions = {},
): string {
  const shown = error.issues.slice(0, options.maximumIssues).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : root;
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join("; ")} (and ${more} more)` : shown.join("; ");
}

export interface ParseOptionsOptions {
  /** Which provider adapter the options belong to, carried by the error. */
  provider?: string;
}

/**
 * Validates options once, at construction: a mistyped option fails loudly (`misconfigured`) with a
 * message naming every wrong key, as in `Invalid HTTP sink options: url: …`, where `subject` is
 * "HTTP sink". The message names keys and expectations, never the values given, so a connection
 * string with a password cannot leak through it.
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  subject: string,
  options: ParseOptionsOptions = {},
): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new FriendhookError(
      "misconfigured",
      `Invalid ${subject} options: ${describeSchemaIssues(parsed.error, "options")}.`,
      { provider: options.provider },
    );
  }
  return parsed.data;
}
