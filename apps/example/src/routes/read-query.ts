import { isFriendhookError } from "@friendhook/core";
import type { Request } from "express";
import { z } from "zod";
import { ApiError } from "./api-error";

/** A query parameter given once; `?a=1&a=2` arrives as an array, which is refused. */
export const QueryTextSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be given once, as text") })
  .min(1, "must not be empty");

const limitRule = "must be an integer from 1 to 1000";

/** `?limit=N&after=CURSOR`, shared by every paged list. */
export const PageQueryShape = {
  limit: z
    .string({ error: "must be given once" })
    .regex(/^\d{1,4}$/, limitRule)
    .transform(Number)
    .refine((limit) => limit >= 1 && limit <= 1000, limitRule)
    .default(100),
  after: QueryTextSchema.optional(),
};

/**
 * A query string schema. Unknown parameters are refused: a mistyped `limt=5` should not silently
 * return the default page.
 */
export function querySchema<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape);
}

export function readQuery<Schema extends z.ZodType>(schema: Schema, request: Request): z.output<Schema> {
  const result = schema.safeParse(request.query);
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
