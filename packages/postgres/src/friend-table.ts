import type { FriendList, FriendsOfInput, RelationChange } from "@friendhook/core";
import { sortUserIds } from "@friendhook/core";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/**
 * Writes many registers in one statement, by the rule every friendhook friend table follows
 * (`relationChangesOf` in @friendhook/receiver), as if each change were applied in turn: a register
 * is inserted when new and overwritten only by a greater version. One `INSERT … ON CONFLICT DO
 * UPDATE` cannot write a row twice, so the changes are first reduced to the greatest version per
 * register, ordered as the stored row compares them: time at millisecond precision, then event id
 * in byte order (`COLLATE "C"`).
 */
export async function applyRelationChangesInDatabase(client: ClientBase, tables: TableNames, changes: readonly RelationChange[]): Promise<void> {
  if (changes.length === 0) return;
  await client.query(
    `INSERT INTO ${tables.friendEdges} AS edge
       (provider, app_id, owner_id, relation, other_id, active, occurred_at, event_id)
     SELECT DISTINCT ON (change.provider, change.app_id, change.owner_id, change.relation, change.other_id)
       change.provider, change.app_id, change.owner_id, change.relation, change.other_id,
       change.active, change.occurred_at, change.event_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::timestamptz[], $8::text[])
       AS change(provider, app_id, owner_id, relation, other_id, active, occurred_at, event_id)
     ORDER BY change.provider, change.app_id, change.owner_id, change.relation, change.other_id,
       change.occurred_at DESC, change.event_id COLLATE "C" DESC
     ON CONFLICT (provider, app_id, owner_id, relation, other_id) DO UPDATE
       SET active = excluded.active, occurred_at = excluded.occurred_at, event_id = excluded.event_id
       WHERE (excluded.occurred_at, excluded.event_id) > (edge.occurred_at, edge.event_id)`,
    [
      changes.map((change) => change.provider),
      changes.map((change) => change.appId),
      changes.map((change) => change.owner),
      changes.map((change) => change.relation),
      changes.map((change) => change.other),
      changes.map((change) => change.value),
      changes.map((change) => new Date(change.version.occurredAt).toISOString()),
      changes.map((change) => change.version.eventId),
    ],
  );
}

export async function queryFriendsOf(client: ClientBase | Pool, tables: TableNames, input: FriendsOfInput): Promise<FriendList> {
  const result = await client.query<{ relation: string; other_id: string }>(
    `SELECT relation, other_id FROM ${tables.friendEdges}
     WHERE provider = $1 AND app_id = $2 AND owner_id = $3 AND active`,
    [input.provider, input.appId, input.userId],
  );
  const friends: string[] = [];
  const blocked: string[] = [];
  for (const row of result.rows) (row.relation === "friend" ? friends : blocked).push(row.other_id);
  return { friends: sortUserIds(friends), blocked: sortUserIds(blocked) };
}
