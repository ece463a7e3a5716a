import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";

/** The test database: DATABASE_URL, or the local server with trust authentication. */
export const connectionString = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const address = new URL(connectionString);
export const databaseHost = address.hostname;
export const databasePort = Number(address.port || 5432);

/** A schema name no other test uses, so tests run side by side on one database. */
export function uniqueSchemaName(): string {
  return `friendhook_test_${randomBytes(6).toString("hex")}`;
}

export function createTestPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4 });
  pool.on("error", () => undefined);
  return pool;
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * A pool on the test database and a source of fresh schema names for one suite: every schema handed
 * out is dropped, and the pool ended, after the suite.
 */
export function useTestSchemas(): { pool: pg.Pool; newSchema: (schema?: string) => string } {
  const pool = createTestPool();
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(pool, schema);
    await pool.end();
  });
  const newSchema = (schema = uniqueSchemaName()) => {
    schemas.push(schema);
    return schema;
  };
  return { pool, newSchema };
}
