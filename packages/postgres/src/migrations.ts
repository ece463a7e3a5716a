import type { TableNames } from "./table-names";

/**
 * One step of the schema. Versions only grow; a released migration never changes, a later one
 * alters what an earlier one made.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (names: TableNames) => readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    statements: (names) => [
      // `sequence` is the stored order: readers page by it, and it never repeats.
      `CREATE TABLE ${names.events} (
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
    statements: (names) => [
      // One last-writer-wins register per (provider, app, owner, relation, other). A register whose
      // relation ended stays as a tombstone (active = false) with its version, so that an older
      // event delivered late cannot bring the relation back.
      `CREATE TABLE ${names.friendEdges} (
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
];
