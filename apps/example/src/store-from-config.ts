import { createPostgresStore } from "@friendhook/postgres";
import type { FriendEventStore } from "@friendhook/core";
import { createSqliteStore } from "@friendhook/sqlite";
import type { Configuration } from "./config/configuration";

/**
 * The store the configuration names: the SQLite file in the data directory (one instance per
 * directory), or PostgreSQL, which any number of instances share. The PostgreSQL store connects
 * and migrates its tables on first use.
 */
export function storeFromConfiguration(configuration: Configuration): FriendEventStore {
  const store = configuration.store ?? { kind: "sqlite" };
  switch (store.kind) {
    case "sqlite":
      return createSqliteStore({ directory: configuration.dataDirectory });
    case "postgres": {
      const { connectionString, schema, tablePrefix } = store;
      return createPostgresStore({ connectionString, ...(schema && { schema }), ...(tablePrefix && { tablePrefix }) });
    }
  }
}
