/** The fully qualified, quoted names of the tables one schema and prefix give. */
export interface TableNames {
  /** The bare schema name, unquoted. */
  readonly schema: string;
  /** The bare prefix, unquoted: with the schema, the key of the migration lock. */
  readonly tablePrefix: string;
  readonly migrations: string;
  readonly events: string;
  /** The friend table: one relation register per (provider, app, owner, relation, other). */
  readonly friendRelations: string;
  readonly deliveries: string;
  /** The callbacks the store keeps, once each: the unrecognized ones with their reason. */
  readonly callbacks: string;
  /** Which fingerprint each signature key is bound to, until it expires. */
  readonly callbackBindings: string;
  /** Events stored per second, for the last hour. */
  readonly storedPerSecond: string;
  /** Deliveries completed per sink and second, for the last hour. */
  readonly deliveredPerSecond: string;
  /** The application's decisions about pending friend requests. */
  readonly decisions: string;
  /** Ranges of stored events delivered again to one sink, with their progress. */
  readonly backfills: string;
}

/** Lower-case letters, digits and underscores only, so names are safe to quote into SQL. */
export const sqlIdentifierPattern = /^[a-z_][a-z0-9_]*$/;

function quote(identifier: string): string {
  return `"${identifier}"`;
}

export function tableNames(schema: string, tablePrefix: string): TableNames {
  const table = (name: string) => `${quote(schema)}.${quote(`${tablePrefix}${name}`)}`;
  return {
    schema,
    tablePrefix,
    migrations: table("schema_migrations"),
    events: table("events"),
    friendRelations: table("friend_relations"),
    deliveries: table("deliveries"),
    callbacks: table("callbacks"),
    callbackBindings: table("callback_bindings"),
    storedPerSecond: table("stored_per_second"),
    deliveredPerSecond: table("delivered_per_second"),
    decisions: table("decisions"),
    backfills: table("backfills"),
  };
}
