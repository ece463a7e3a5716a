import type { Pool, PoolClient } from "pg";
import { type Migration, migrations } from "./migrations";
import type { TableNames } from "./table-names";
import { inTransaction } from "./transaction";

/**
 * Serializes every migrating process of one schema and prefix until its transaction ends, so two
 * processes starting at once neither race on `CREATE` nor apply a migration twice.
 */
async function lockMigrations(client: PoolClient, names: TableNames): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `friendhook:migrations:${names.schema}.${names.tablePrefix}`,
  ]);
}

async function ensureMigrationsTable(client: PoolClient, names: TableNames): Promise<void> {
  const schemaExists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [names.schema]);
  if (schemaExists.rowCount === 0) await client.query(`CREATE SCHEMA "${names.schema}"`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${names.migrations} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedVersions(client: PoolClient, names: TableNames): Promise<Set<number>> {
  const result = await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`);
  return new Set(result.rows.map((row) => row.version));
}

/** Applies the first pending migration, if any, in its own transaction; returns it. */
async function applyNextMigration(pool: Pool, names: TableNames): Promise<Migration | undefined> {
  return inTransaction(pool, async (client) => {
    await lockMigrations(client, names);
    await ensureMigrationsTable(client, names);
    const applied = await appliedVersions(client, names);
    const next = migrations.find((migration) => !applied.has(migration.version));
    if (!next) return undefined;
    for (const statement of next.statements(names)) await client.query(statement);
    await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [next.version, next.name]);
    return next;
  });
}

/**
 * Brings the schema up to date: each pending migration is applied once, in order, each in a
 * transaction of its own. Safe to run from several processes at once. Returns the versions this
 * call applied.
 */
export async function runMigrations(pool: Pool, names: TableNames): Promise<number[]> {
  const applied: number[] = [];
  for (;;) {
    const migration = await applyNextMigration(pool, names);
    if (!migration) return applied;
    applied.push(migration.version);
  }
}
