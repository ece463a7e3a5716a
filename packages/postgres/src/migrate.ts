import type { Pool, PoolClient } from "pg";
import { type Migration, migrations } from "./migrations";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

/**
 * Serializes every migrating process of one schema and prefix until its transaction ends, so two
 * processes starting at once neither race on `CREATE` nor apply a migration twice.
 */
async function lockMigrations(client: PoolClient, tables: TableNames): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `friendhook:migrations:${tables.schema}.${tables.tablePrefix}`,
  ]);
}

async function ensureMigrationsTable(client: PoolClient, tables: TableNames): Promise<void> {
  const schemaExists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [tables.schema]);
  if (schemaExists.rowCount === 0) await client.query(`CREATE SCHEMA "${tables.schema}"`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedVersions(client: PoolClient, tables: TableNames): Promise<Set<number>> {
  const result = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
  return new Set(result.rows.map((row) => row.version));
}

/** Applies the first pending migration, if any, in its own transaction; returns it. */
async function applyNextMigration(pool: Pool, tables: TableNames): Promise<Migration | undefined> {
  return inTransaction(pool, async (client) => {
    await lockMigrations(client, tables);
    await ensureMigrationsTable(client, tables);
    const applied = await appliedVersions(client, tables);
    const next = migrations.find((migration) => !applied.has(migration.version));
    if (!next) return undefined;
    for (const statement of next.statements(tables)) await client.query(statement);
    await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [next.version, next.name]);
    return next;
  });
}

/**
 * Brings the schema up to date: each pending migration is applied once, in order, each in a
 * transaction of its own. Safe to run from several processes at once. Returns the versions this
 * call applied.
 */
export async function runMigrations(pool: Pool, tables: TableNames): Promise<number[]> {
  const applied: number[] = [];
  for (;;) {
    const migration = await applyNextMigration(pool, tables);
    if (!migration) return applied;
    applied.push(migration.version);
  }
}
