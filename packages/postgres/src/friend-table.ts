import type { FriendList, FriendsOfInput, RelationChange } from "@friendhook/receiver";
import { sortUserIds } from "@friendhook/receiver";
import type { ClientBase, Pool } from "pg";
import type { TableNames } from "./table-names";

/**
 * Writes one register of the friend table in a single statement, by the rule every friendhook
 * friend table follows (`relationChangesOf` in @friendhook/receiver): inserted when new, overwritten
 * only by a greater version. The row comparison orders by time at millisecond precision, then by
 * event id in byte order (`COLLATE "C"`). Returns whether the register changed.
 */
export async function applyRelationChangeInDatabase(client: ClientBase, tables: TableNames, change: RelationChange): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO ${tables.friendEdges} AS edge
       (provider, app_id, owner_id, relation, other_id, active, occurred_at, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8)
     ON CONFLICT (provider, app_id, owner_id, relation, other_id) DO UPDATE
       SET active = excluded.active, occurred_at = excluded.occurred_at, event_id = excluded.event_id
       WHERE (excluded.occurred_at, excluded.event_id) > (edge.occurred_at, edge.event_id)`,
    [
      change.provider,
      change.appId,
      change.owner,
      change.relation,
      change.other,
      change.value,
      new Date(change.version.occurredAt).toISOString(),
      change.version.eventId,
    ],
  );
  return result.rowCount === 1;
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
