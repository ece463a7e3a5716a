import type { Request } from "express";
import { isFriendhookError } from "@friendhook/core";
import { z } from "zod";
import { ApiError } from "./api-error";

/** A query parameter given once; `?a=1&a=2` arrives as an array, which is refused. */
export const QueryTextSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be given once, as text") })
  .min(1, "must not be empty");

export const PageLimitSchema = z
  .string({ error: "must be given once" })
  .regex(/^\d{1,4}$/, "must be an integer from 1 to 1000")
  .transform(Number)
  .pipe(z.number().min(1, "must be an integer from 1 to 1000").max(1000, "must be an integer from 1 to 1000"));

/** `?limit=N&after=CURSOR`, shared by every paged list. */
export const PageQueryShape = {
  limit: PageLimitSchema.default(100),
  after: QueryTextSchema.optional(),
};

/**
 * Validates the query string. Unknown parameters are refused too: a mistyped `limt=5` should not
 * silently return the default page.
 */
export function readQuery<Shape extends z.ZodRawShape>(shape: Shape, request: Request): z.output<z.ZodObject<Shape>> {
  const result = z.strictObject(shape).safeParse(request.query);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.code === "unrecognized_keys"
      ? `unknown query parameter${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key.slice(0, 40)}"`).join(", ")}`
      : `${issue.path.map(String).join(".")}: ${issue.message}`,
  );
  throw new ApiError("invalid_query", problems.join("; "));
}

/** Reads one page from the store; a cursor the store does not know is the client's mistake (400). */
export async function readPage<Page>(read: () => Promise<Page>): Promise<Page> {
  try {
    return await read();
  } catch (error) {
    if (isFriendhookError(error) && error.status < 500) throw new ApiError("invalid_query", `after: ${error.message}`);
    throw error;
  }
}
