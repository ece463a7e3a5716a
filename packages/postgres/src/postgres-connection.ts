import { parseOptions } from "@friendhook/core";
import pg from "pg";
import { runMigrations } from "./migrate";
import { type PostgresOptions, PostgresOptionsSchema } from "./postgres-options";
import { type TableNames, tableNames } from "./table-names";

/** A pool, the table names, and the migrations applied once before first use. */
export interface PostgresConnection {
  readonly pool: pg.Pool;
  readonly tables: TableNames;
  /** Resolves once the schema is up to date (at once when `migrate: false`). */
  ready(): Promise<void>;
  /** Applies pending migrations now; returns the versions applied. */
  migrate(): Promise<number[]>;
  /** Ends the pool when it was opened here. */
  end(): Promise<void>;
}

export function openPostgres(options: PostgresOptions, subject: string): PostgresConnection {
  const parsed = parseOptions(PostgresOptionsSchema, options, subject);
  const tables = tableNames(parsed.schema, parsed.tablePrefix);
  const ownsPool = parsed.pool === undefined;
  const pool =
    parsed.pool ??
    new pg.Pool({
      connectionString: parsed.connectionString,
      connectionTimeoutMillis: parsed.connectionTimeoutMs,
      application_name: parsed.applicationName,
      max: parsed.maxConnections,
    });
  // A connection the server drops emits `error` on the pool, and may emit a late one (ECONNRESET)
  // on its client after the pool has let it go; without listeners either would end the process.
  // A query on a dropped connection rejects, so the caller learns of the failure instead.
  if (ownsPool) {
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
  }

  let migrated: Promise<unknown> | undefined;
  return {
    pool,
    tables,
    async ready() {
      if (!parsed.migrate) return;
      migrated ??= runMigrations(pool, tables).catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
      await migrated;
    },
    migrate: () => runMigrations(pool, tables),
    async end() {
      if (ownsPool) await pool.end();
    },
  };
}
