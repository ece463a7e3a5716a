import type { TableNames } from "./table-names";

/** An index name with the tables' prefix: indexes share the schema's namespace with tables. */
function quotedIndexName(tables: TableNames, name: string): string {
  return `"${tables.tablePrefix}${name}"`;
}

/** The table of unrecognized callbacks as version 3 made it; version 5 turns it into the callbacks table. */
function unrecognizedCallbacksTable(tables: TableNames): string {
  return `"${tables.schema}"."${tables.tablePrefix}unrecognized_callbacks"`;
}

/**
 * The friend table as versions 2 to 5 named it; version 6 names it after what each row is, a
 * relation register (core's friend-table rule), and leaves a view under the old name.
 */
function friendEdgesTable(tables: TableNames): string {
  return `"${tables.schema}"."${tables.tablePrefix}friend_edges"`;
}

/**
 * The id `deriveCallbackId` gives a body kept in an event's `raw` before callbacks were stored apart
 * (`cb_` and 32 hex digits of SHA-256 over provider, app, command and body as JSON.stringify writes
 * the array: PostgreSQL's JSON strings escape text as JavaScript's do).
 */
function callbackIdOfRawBody(event: string): string {
  const parts = [`${event}.provider`, `${event}.app_id`, `${event}.event->'source'->>'command'`, `(${event}.event->'raw')::text`];
  const material = `'[' || ${parts.map((part) => `to_json(${part})::text`).join(" || ',' || ")} || ']'`;
  return `'cb_' || left(encode(sha256(convert_to(${material}, 'UTF8')), 'hex'), 32)`;
}

/**
 * One step of the schema. Versions only grow; a released migration never changes, a later one
 * alters what an earlier one made.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (tables: TableNames) => readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    statements: (tables) => [
      // `sequence` is the stored order: readers page by it, and it never repeats.
      `CREATE TABLE ${tables.events} (
        id text COLLATE "C" PRIMARY KEY,
        sequence bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        provider text NOT NULL,
        app_id text NOT NULL,
        type text NOT NULL,
        actor text NOT NULL,
        target text NOT NULL,
        mutual boolean NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        received_at timestamptz(3) NOT NULL,
        event jsonb NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: "friend edges",
    statements: (tables) => [
      // One last-writer-wins register per (provider, app, owner, relation, other). A register whose
      // relation ended stays as a tombstone (active = false) with its version, so that an older
      // event delivered late cannot bring the relation back.
      `CREATE TABLE ${friendEdgesTable(tables)} (
        provider text NOT NULL,
        app_id text NOT NULL,
        owner_id text COLLATE "C" NOT NULL,
        relation text NOT NULL CHECK (relation IN ('friend', 'blocked')),
        other_id text COLLATE "C" NOT NULL,
        active boolean NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        PRIMARY KEY (provider, app_id, owner_id, relation, other_id)
      )`,
    ],
  },
  {
    version: 3,
    name: "store deliveries and unrecognized callbacks",
    statements: (tables) => [
      // One row per event and sink while the delivery is pending or dead-lettered; a completed
      // delivery is deleted. Times are epoch milliseconds as the receiver gives them (`now`).
      `CREATE TABLE ${tables.deliveries} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sink text NOT NULL,
        event_id text COLLATE "C" NOT NULL REFERENCES ${tables.events} (id),
        order_key text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        available_at bigint NOT NULL DEFAULT 0,
        leased_until bigint NOT NULL DEFAULT 0,
        last_error text NOT NULL DEFAULT '',
        dead_lettered_at bigint
      )`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_pending")} ON ${tables.deliveries} (sink, id) WHERE state = 'pending'`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_pending_by_order_key")} ON ${tables.deliveries} (sink, order_key, id) WHERE state = 'pending'`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_dead")} ON ${tables.deliveries} (id) WHERE state = 'dead'`,
      `CREATE TABLE ${unrecognizedCallbacksTable(tables)} (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        provider text NOT NULL,
        app_id text NOT NULL,
        command text NOT NULL,
        reason text NOT NULL,
        received_at text NOT NULL,
        body text NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: "friend table ordering windows",
    statements: (tables) => [
      // A sink keeps the store's sequence of each event it was given (`DeliveryContext.sequences`),
      // NULL when it was given none (and in a store's own table, where `sequence` is that order),
      // and recomputes a pair's registers from the pair's events when a change arrives out of order.
      `ALTER TABLE ${tables.events} ADD COLUMN store_sequence bigint`,
      `CREATE INDEX ${quotedIndexName(tables, "events_by_pair")} ON ${tables.events} (provider, app_id, actor, target)
        WHERE type IN ('friend.added', 'friend.removed', 'friend.blocked', 'friend.unblocked')`,
      // A register keeps the change that set it (`event_id`, `occurred_at`), `not_before` (the
      // greatest start of the ordering windows of the changes applied) and `sequence` (the greatest
      // store sequence applied, NULL when none was known). Existing registers keep their values;
      // `not_before` is their change's time bounded by its receive time plus the skew (5 s), minus the skew.
      `ALTER TABLE ${friendEdgesTable(tables)} ADD COLUMN not_before timestamptz(3), ADD COLUMN sequence bigint`,
      `UPDATE ${friendEdgesTable(tables)} AS edge SET not_before = least(
        edge.occurred_at,
        coalesce((SELECT event.received_at FROM ${tables.events} AS event WHERE event.id = edge.event_id), edge.occurred_at)
          + interval '5 seconds'
      ) - interval '5 seconds'`,
      `ALTER TABLE ${friendEdgesTable(tables)} ALTER COLUMN not_before SET NOT NULL`,
    ],
  },
  {
    version: 5,
    name: "stored callbacks and signature bindings",
    statements: (tables) => [
      // The unrecognized callbacks become the callbacks, renamed in place: rows, sequence numbers
      // (and so cursors handed out) stay as they were.
      `ALTER TABLE ${unrecognizedCallbacksTable(tables)} RENAME TO "${tables.tablePrefix}callbacks"`,
      `ALTER TABLE ${tables.callbacks} RENAME COLUMN reason TO unrecognized_reason`,
      `ALTER TABLE ${tables.callbacks} ALTER COLUMN unrecognized_reason DROP NOT NULL`,
      `CREATE INDEX ${quotedIndexName(tables, "callbacks_unrecognized")} ON ${tables.callbacks} (sequence) WHERE unrecognized_reason IS NOT NULL`,
      // Each event links to the callback that stored it; events the PostgreSQL sink writes link to none.
      `ALTER TABLE ${tables.events} ADD COLUMN callback_sequence bigint REFERENCES ${tables.callbacks} (sequence)`,
      // Events stored with the body in \`raw\` (an adapter's former \`includeRaw\`): each distinct body
      // becomes a callback, in the order it was first stored, its events link to it, and \`raw\`
      // leaves them. Nothing is lost; the body is kept once.
      `INSERT INTO ${tables.callbacks} (id, provider, app_id, command, received_at, body)
       SELECT id, provider, app_id, command, received_at, body FROM (
         SELECT DISTINCT ON (id) * FROM (
           SELECT ${callbackIdOfRawBody("event")} AS id, event.provider, event.app_id,
             event.event->'source'->>'command' AS command, event.event->>'receivedAt' AS received_at,
             (event.event->'raw')::text AS body, event.sequence
           FROM ${tables.events} AS event WHERE event.event ? 'raw'
         ) AS raw_body ORDER BY id, sequence
       ) AS first_seen
       ORDER BY sequence
       ON CONFLICT (id) DO NOTHING`,
      `UPDATE ${tables.events} AS event SET callback_sequence = callback.sequence, event = event.event - 'raw'
       FROM ${tables.callbacks} AS callback
       WHERE event.event ? 'raw' AND callback.id = ${callbackIdOfRawBody("event")}`,
      // Keys are compared byte for byte; expired bindings are deleted by expiry.
      `CREATE TABLE ${tables.callbackBindings} (
        key text COLLATE "C" PRIMARY KEY,
        fingerprint text COLLATE "C" NOT NULL,
        expires_at bigint NOT NULL
      )`,
      `CREATE INDEX ${quotedIndexName(tables, "callback_bindings_by_expiry")} ON ${tables.callbackBindings} (expires_at)`,
    ],
  },
  {
    version: 6,
    name: "retention indexes",
    statements: (tables) => [
      // Pruning finds the oldest rows, and whether a row is still needed, by these indexes; each
      // builds once, holding writes back while it does.
      `CREATE INDEX ${quotedIndexName(tables, "events_by_received_at")} ON ${tables.events} (received_at)`,
      `CREATE INDEX ${quotedIndexName(tables, "events_by_callback")} ON ${tables.events} (callback_sequence) WHERE callback_sequence IS NOT NULL`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_by_event")} ON ${tables.deliveries} (event_id)`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_dead_by_time")} ON ${tables.deliveries} (dead_lettered_at) WHERE state = 'dead'`,
      `CREATE INDEX ${quotedIndexName(tables, "callbacks_by_received_at")} ON ${tables.callbacks} (received_at)`,
      `CREATE INDEX ${quotedIndexName(tables, "friend_edges_tombstones")} ON ${friendEdgesTable(tables)} (not_before) WHERE NOT active`,
    ],
  },
  {
    version: 7,
    name: "friend relations",
    statements: (tables) => [
      // One name per concept: each row is a relation register, as in core's friend-table rule and in
      // the SQLite store's friend_relations. The view keeps queries written against the old name
      // working (it is simple, so PostgreSQL also updates through it); it goes in the next major version.
      `ALTER TABLE ${friendEdgesTable(tables)} RENAME TO "${tables.tablePrefix}friend_relations"`,
      `CREATE VIEW ${friendEdgesTable(tables)} AS SELECT * FROM ${tables.friendRelations}`,
    ],
  },
  {
    version: 8,
    name: "operator's view",
    statements: (tables) => [
      // What an operator's view reads without scanning every row: a user's events by actor and by
      // target, in stored order; the failed deliveries of each sink (partial: deliveries that never
      // failed are not in it); and counts per second of events stored and deliveries completed,
      // kept for the last hour.
      `CREATE INDEX ${quotedIndexName(tables, "events_by_actor")} ON ${tables.events} (provider, app_id, actor, sequence)`,
      `CREATE INDEX ${quotedIndexName(tables, "events_by_target")} ON ${tables.events} (provider, app_id, target, sequence)`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_failed")} ON ${tables.deliveries} (sink, state, attempts) WHERE attempts > 0`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_dead_by_sink")} ON ${tables.deliveries} (sink) WHERE state = 'dead'`,
      `CREATE TABLE ${tables.storedPerSecond} (
        second bigint PRIMARY KEY,
        events bigint NOT NULL
      )`,
      `CREATE TABLE ${tables.deliveredPerSecond} (
        second bigint NOT NULL,
        sink text COLLATE "C" NOT NULL,
        deliveries bigint NOT NULL,
        PRIMARY KEY (second, sink)
      )`,
    ],
  },
  {
    version: 9,
    name: "decisions",
    statements: (tables) => [
      // The application's decisions about pending friend requests: the whole decision as JSON,
      // beside the columns that filter (an app, a user as actor or target), page and prune it.
      `CREATE TABLE ${tables.decisions} (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        provider text COLLATE "C" NOT NULL,
        app_id text COLLATE "C" NOT NULL,
        actor text COLLATE "C" NOT NULL,
        target text COLLATE "C" NOT NULL,
        decided_at timestamptz NOT NULL,
        decision jsonb NOT NULL
      )`,
      `CREATE INDEX ${quotedIndexName(tables, "decisions_by_decided_at")} ON ${tables.decisions} (decided_at)`,
      `CREATE INDEX ${quotedIndexName(tables, "decisions_by_actor")} ON ${tables.decisions} (actor, sequence)`,
      `CREATE INDEX ${quotedIndexName(tables, "decisions_by_target")} ON ${tables.decisions} (target, sequence)`,
    ],
  },
  {
    version: 10,
    name: "backfills",
    statements: (tables) => [
      // Deliveries are claimed in their events' order (a backfill enqueues old events after newer
      // ones), so each delivery keeps its event's sequence, and the claim and its per-pair check
      // read indexes by it; the pending indexes by delivery id served nothing else.
      `ALTER TABLE ${tables.deliveries} ADD COLUMN event_sequence bigint`,
      `UPDATE ${tables.deliveries} AS delivery SET event_sequence = event.sequence FROM ${tables.events} AS event WHERE event.id = delivery.event_id`,
      `ALTER TABLE ${tables.deliveries} ALTER COLUMN event_sequence SET NOT NULL`,
      `DROP INDEX "${tables.schema}".${quotedIndexName(tables, "deliveries_pending")}`,
      `DROP INDEX "${tables.schema}".${quotedIndexName(tables, "deliveries_pending_by_order_key")}`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_pending_in_event_order")} ON ${tables.deliveries} (sink, event_sequence) WHERE state = 'pending'`,
      `CREATE INDEX ${quotedIndexName(tables, "deliveries_pending_by_order_key_in_event_order")} ON ${tables.deliveries} (sink, order_key, event_sequence)
        WHERE state = 'pending'`,
      // Each backfill's range and progress, so that a restart resumes it and a sink's claims wait
      // while one is unfinished.
      `CREATE TABLE ${tables.backfills} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sink text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        from_sequence bigint NOT NULL,
        to_sequence bigint NOT NULL,
        next_sequence bigint,
        enqueued bigint NOT NULL DEFAULT 0,
        UNIQUE (sink, name)
      )`,
      `CREATE INDEX ${quotedIndexName(tables, "backfills_unfinished")} ON ${tables.backfills} (sink, id) WHERE next_sequence IS NOT NULL`,
    ],
  },
];
