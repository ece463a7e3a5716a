import type { ClientBase, Pool } from "pg";
import type { FriendEdgeChange } from "./friend-edge-changes";
import type { TableNames } from "./table-names";

export interface FriendsOfQuery {
  readonly provider: string;
  readonly appId: string;
  readonly userId: string;
}

/** The friend table seen from one user: whom they count as a friend, whom they block. Both sorted. */
export interface FriendList {
  readonly friends: string[];
  readonly blocked: string[];
}

/**
 * Writes one register in a single statement: inserted when new, overwritten only by a greater
 * version. The row comparison orders by time, then by event id in byte order (`COLLATE "C"`).
 * Returns whether the register changed.
 */
export async function applyFriendEdgeChange(client: ClientBase, names: TableNames, change: FriendEdgeChange): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO ${names.friendEdges} AS edge
       (provider, app_id, owner_id, relation, other_id, active, occurred_at, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8)
     ON CONFLICT (provider, app_id, owner_id, relation, other_id) DO UPDATE
       SET active = excluded.active, occurred_at = excluded.occurred_at, event_id = excluded.event_id
       WHERE (excluded.occurred_at, excluded.event_id) > (edge.occurred_at, edge.event_id)`,
    [
      change.provider,
      change.appId,
      change.ownerId,
      change.relation,
      change.otherId,
      change.active,
      change.occurredAt,
      change.eventId,
    ],
  );
  return result.rowCount === 1;
}

/** User ids in the order every friendhook friend table returns: by UTF-16 code units, as `Array.prototype.sort`. */
function sortUserIds(userIds: string[]): string[] {
  return userIds.sort();
}

export async function queryFriendsOf(client: ClientBase | Pool, names: TableNames, query: FriendsOfQuery): Promise<FriendList> {
  const result = await client.query<{ relation: string; other_id: string }>(
    `SELECT relation, other_id FROM ${names.friendEdges}
     WHERE provider = $1 AND app_id = $2 AND owner_id = $3 AND active`,
    [query.provider, query.appId, query.userId],
  );
  const friends: string[] = [];
  const blocked: string[] = [];
  for (const row of result.rows) (row.relation === "friend" ? friends : blocked).push(row.other_id);
  return { friends: sortUserIds(friends), blocked: sortUserIds(blocked) };
}
