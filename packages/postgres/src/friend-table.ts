import type { FriendEvent, FriendList, FriendsOfInput, RelationChange, RelationRegister } from "@friendhook/core";
import { applyRelationChange, relationChangesOf, relationRegisterKey, relationshipEventTypes, sortUserIds } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/** A register as stored: the rule's register, and the greatest store sequence applied to it (`null` when none was known). */
interface StoredRegister {
  readonly register: RelationRegister;
  readonly sequence: number | null;
}

interface RegisterRow {
  provider: string;
  app_id: string;
  owner_id: string;
  relation: "friend" | "blocked";
  other_id: string;
  active: boolean;
  event_id: string;
  occurred_at: Date;
  not_before: Date;
  sequence: string | null;
}

const keyOf = (change: Pick<RelationChange, "provider" | "appId" | "owner" | "other" | "relation">) =>
  relationRegisterKey(change.provider, change.appId, change.owner, change.other, change.relation);

/** The pair a register belongs to, as the recomputation reads it: provider, app and the two users in either role. */
const pairOf = (change: RelationChange) => JSON.stringify([change.provider, change.appId, ...[change.owner, change.other].sort()]);

/**
 * Whether a change with store sequence `sequence` arrived after every change `stored` holds. Changes
 * given without a sequence (a sink called directly, or events stored before sequences were kept)
 * count as arriving before every change given with one, in the order they were stored.
 */
function arrivesAfter(stored: StoredRegister | undefined, sequence: number | undefined): boolean {
  if (stored === undefined || stored.sequence === null) return true;
  return sequence !== undefined && sequence > stored.sequence;
}

async function readRegisters(client: ClientBase, tables: TableNames, changes: readonly RelationChange[]): Promise<Map<string, StoredRegister>> {
  const distinct = [...new Map(changes.map((change) => [keyOf(change), change])).values()];
  const result = await client.query<RegisterRow>(
    `SELECT register.provider, register.app_id, register.owner_id, register.relation, register.other_id, register.active, register.event_id,
       register.occurred_at, register.not_before, register.sequence
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS wanted(provider, app_id, owner_id, relation, other_id)
     JOIN ${tables.friendRelations} AS register USING (provider, app_id, owner_id, relation, other_id)`,
    [
      distinct.map((change) => change.provider),
      distinct.map((change) => change.appId),
      distinct.map((change) => change.owner),
      distinct.map((change) => change.relation),
      distinct.map((change) => change.other),
    ],
  );
  const registers = new Map<string, StoredRegister>();
  for (const row of result.rows) {
    registers.set(relationRegisterKey(row.provider, row.app_id, row.owner_id, row.other_id, row.relation), {
      register: { value: row.active, eventId: row.event_id, occurredAt: row.occurred_at.getTime(), notBefore: row.not_before.getTime() },
      sequence: row.sequence === null ? null : Number(row.sequence),
    });
  }
  return registers;
}

async function writeRegisters(client: ClientBase, tables: TableNames, written: ReadonlyMap<string, StoredRegister>): Promise<void> {
  if (written.size === 0) return;
  const keys = [...written.keys()].map((key) => JSON.parse(key) as [string, string, string, string, string]);
  const registers = [...written.values()];
  await client.query(
    `INSERT INTO ${tables.friendRelations} AS register
       (provider, app_id, owner_id, other_id, relation, active, event_id, occurred_at, not_before, sequence)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],
       $8::timestamptz[], $9::timestamptz[], $10::bigint[])
     ON CONFLICT (provider, app_id, owner_id, relation, other_id) DO UPDATE
       SET active = excluded.active, event_id = excluded.event_id, occurred_at = excluded.occurred_at,
         not_before = excluded.not_before, sequence = excluded.sequence`,
    [
      keys.map((key) => key[0]),
      keys.map((key) => key[1]),
      keys.map((key) => key[2]),
      keys.map((key) => key[3]),
      keys.map((key) => key[4]),
      registers.map((stored) => stored.register.value),
      registers.map((stored) => stored.register.eventId),
      registers.map((stored) => new Date(stored.register.occurredAt).toISOString()),
      registers.map((stored) => new Date(stored.register.notBefore).toISOString()),
      registers.map((stored) => (stored.sequence === null ? null : String(stored.sequence))),
    ],
  );
}

/**
 * The registers of `keys` recomputed from every stored event of their pairs, in arrival order: by
 * store sequence, events without one first, each group in the order it was stored.
 */
async function recomputeRegisters(client: ClientBase, tables: TableNames, changes: readonly RelationChange[]): Promise<Map<string, StoredRegister>> {
  const keys = new Set(changes.map(keyOf));
  const pairs = [...new Map(changes.map((change) => [pairOf(change), change])).values()];
  const recomputed = new Map<string, StoredRegister>();
  for (const pair of pairs) {
    const result = await client.query<{ event: FriendEvent; store_sequence: string | null }>(
      `SELECT event, store_sequence FROM ${tables.events}
       WHERE provider = $1 AND app_id = $2 AND ((actor = $3 AND target = $4) OR (actor = $4 AND target = $3))
         AND type IN (${relationshipEventTypes.map((type) => `'${type}'`).join(", ")})
       ORDER BY store_sequence NULLS FIRST, sequence`,
      [pair.provider, pair.appId, pair.owner, pair.other],
    );
    for (const row of result.rows) {
      for (const change of relationChangesOf(row.event)) {
        const key = keyOf(change);
        if (!keys.has(key)) continue;
        const current = recomputed.get(key);
        const register = applyRelationChange(current?.register, change) ?? current?.register;
        if (register === undefined) continue;
        const sequence = row.store_sequence === null ? (current?.sequence ?? null) : Number(row.store_sequence);
        recomputed.set(key, { register, sequence });
      }
    }
  }
  return recomputed;
}

/**
 * Applies the changes of newly stored events to the friend table by the rule every friendhook
 * friend table follows (`applyRelationChange` in @friendhook/core), each change once, in the order
 * given, which must be their arrival order. `sequences`, parallel to `changes`, are the store
 * sequences a sink was given (`DeliveryContext.sequences`); a store gives none. A register that a
 * change reaches out of arrival order (a lower sequence than one already applied: a redelivery, a
 * replayed dead letter) is recomputed from its pair's stored events instead.
 *
 * The registers are read in one statement and written in one; the caller serializes writers of a
 * pair (the store's append lock, the sink's pair locks).
 */
export async function applyRelationChangesInDatabase(
  client: ClientBase,
  tables: TableNames,
  changes: readonly RelationChange[],
  sequences: ReadonlyArray<number | undefined> = [],
): Promise<void> {
  if (changes.length === 0) return;
  const stored = await readRegisters(client, tables, changes);
  const written = new Map<string, StoredRegister>();
  const outOfOrder: RelationChange[] = [];
  changes.forEach((change, index) => {
    const key = keyOf(change);
    const sequence = sequences[index];
    const current = written.get(key) ?? stored.get(key);
    if (!arrivesAfter(current, sequence)) {
      outOfOrder.push(change);
      return;
    }
    const register = applyRelationChange(current?.register, change);
    const next = { register: register ?? (current?.register as RelationRegister), sequence: sequence ?? current?.sequence ?? null };
    // A change that leaves the value alone still raises the sequence, which later arrivals are compared with.
    if (register !== undefined || next.sequence !== (current?.sequence ?? null)) written.set(key, next);
  });
  for (const [key, register] of await recomputeRegisters(client, tables, outOfOrder)) written.set(key, register);
  await writeRegisters(client, tables, written);
}

export async function queryFriendsOf(client: ClientBase | Pool, tables: TableNames, input: FriendsOfInput): Promise<FriendList> {
  const result = await client.query<{ relation: string; other_id: string }>(
    `SELECT relation, other_id FROM ${tables.friendRelations}
     WHERE provider = $1 AND app_id = $2 AND owner_id = $3 AND active`,
    [input.provider, input.appId, input.userId],
  );
  const friends: string[] = [];
  const blocked: string[] = [];
  for (const row of result.rows) (row.relation === "friend" ? friends : blocked).push(row.other_id);
  return { friends: sortUserIds(friends), blocked: sortUserIds(blocked) };
}
