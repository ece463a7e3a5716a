import { type PostgresLocation, describePostgresLocation, postgresSchemes, readPostgresLocation } from "./postgres-location";
import { schemeOf } from "./service-url";
import { type Parsed, parsed, problem } from "./setting-parsers";

/**
 * Where callbacks are made durable: the embedded SQLite file in the data directory (one instance),
 * or a PostgreSQL database that several instances share.
 */
export type StoreSpecification = { readonly kind: "sqlite" } | ({ readonly kind: "postgres" } & PostgresLocation);

const expected = 'must be "sqlite" or a postgres:// URL';

/** `sqlite`, or `postgres://user:password@host:5432/database?schema=…&tablePrefix=…`. */
export function parseStore(text: string): Parsed<StoreSpecification> {
  const scheme = schemeOf(text);
  if (scheme === undefined) {
    return text.toLowerCase() === "sqlite" ? parsed({ kind: "sqlite" }) : problem(`${expected} (got "${text.slice(0, 40)}")`);
  }
  // Only the scheme is ever repeated: the rest of a URL may hold a password.
  if (!postgresSchemes.includes(scheme)) return problem(`${expected} (got a ${scheme}:// URL)`);
  const location = readPostgresLocation(text);
  if (!location.ok) return problem(`the ${scheme}:// URL ${location.problem}`);
  return parsed({ kind: "postgres", ...location.value });
}

export function describeStore(store: StoreSpecification, dataDirectory: string): string {
  return store.kind === "sqlite" ? `sqlite (${dataDirectory})` : `postgres (${describePostgresLocation(store)})`;
}
