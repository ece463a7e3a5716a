import { PostgresOptionsSchema } from "@friendhook/postgres";
import { describeServiceUrl, readServiceUrl, serviceUrlText } from "./service-url";
import { type Parsed, parsed, problem } from "./setting-parsers";

export const postgresSchemes: readonly string[] = ["postgres", "postgresql"];

/** A PostgreSQL database, and the schema and table prefix friendhook's tables live under there. */
export interface PostgresLocation {
  readonly connectionString: string;
  /** `public` when absent. */
  readonly schema?: string;
  /** `friendhook_` when absent. */
  readonly tablePrefix?: string;
}

/**
 * `postgres://user:password@host:5432/database?schema=…&tablePrefix=…`. `schema` and `tablePrefix`
 * are friendhook's and are taken out; every other parameter (`sslmode`, …) goes to the driver. The
 * rules are those of `@friendhook/postgres`, checked here so that a mistake stops the start-up.
 */
export function readPostgresLocation(text: string): Parsed<PostgresLocation> {
  const read = readServiceUrl(text, ["schema", "tablePrefix"]);
  if (!read.ok) return read;
  const { url, settings } = read.value;
  const location: PostgresLocation = {
    connectionString: serviceUrlText(url),
    ...(settings.schema !== undefined && { schema: settings.schema }),
    ...(settings.tablePrefix !== undefined && { tablePrefix: settings.tablePrefix }),
  };
  const checked = PostgresOptionsSchema.safeParse(location);
  if (!checked.success) {
    // Only the schema and the prefix can be wrong here; neither is a secret.
    return problem(checked.error.issues.map((issue) => `has a bad "${issue.path.map(String).join(".")}" parameter: ${issue.message}`).join("; "));
  }
  return parsed(location);
}

/** `postgres://db.internal:5432/friendhook, schema public, prefix friendhook_`: no user, no password. */
export function describePostgresLocation(location: PostgresLocation): string {
  const where = describeServiceUrl(new URL(location.connectionString));
  return `${where}, schema ${location.schema ?? "public"}, prefix ${location.tablePrefix ?? "friendhook_"}`;
}
