import type { Pool } from "pg";
import { z } from "zod";
import { sqlIdentifierPattern } from "./table-names";

function isPool(value: unknown): value is Pool {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Pool).connect === "function" &&
    typeof (value as Pool).query === "function"
  );
}

/** How the sink and the store reach their database, and which tables they use there. */
export const PostgresOptionsSchema = z
  .strictObject({
    connectionString: z
      .string()
      .min(1)
      .optional()
      .describe("A PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/app. The sink or store opens and ends its own pool."),
    pool: z
      .custom<Pool>(isPool, { message: "Expected a pg Pool" })
      .optional()
      .describe("A pg Pool the application owns; it is used and never ended."),
    schema: z
      .string()
      .regex(sqlIdentifierPattern, "Expected lower-case letters, digits and underscores")
      .max(63)
      .default("public"),
    tablePrefix: z
      .string()
      .regex(sqlIdentifierPattern, "Expected lower-case letters, digits and underscores")
      .max(40)
      .default("friendhook_"),
    migrate: z.boolean().default(true).describe("Apply pending migrations before first use."),
    applicationName: z.string().min(1).max(63).default("friendhook").describe("Shown in pg_stat_activity."),
    connectionTimeoutMs: z.number().int().positive().default(10_000),
    maxConnections: z.number().int().positive().default(10),
  })
  .refine((options) => (options.connectionString === undefined) !== (options.pool === undefined), {
    message: "Give exactly one of connectionString and pool",
  });

export const PostgresSinkOptionsSchema = PostgresOptionsSchema;
export const PostgresStoreOptionsSchema = PostgresOptionsSchema;
export type PostgresOptions = z.input<typeof PostgresOptionsSchema>;
export type PostgresSinkOptions = PostgresOptions;
export type PostgresStoreOptions = PostgresOptions;
