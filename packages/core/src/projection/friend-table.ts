import type { FriendEvent } from "../friend-event";
import type { FriendList, FriendsOfInput } from "../store/friend-event-store";
import { type FriendRelation, type RelationRegister, applyRelationChange, relationChangesOf } from "./friend-relation";

/** Where one register lives: JSON keeps the parts apart whatever characters the ids contain. */
export function relationRegisterKey(provider: string, appId: string, owner: string, other: string, relation: FriendRelation): string {
  return JSON.stringify([provider, appId, owner, other, relation]);
}

/** User ids in the one order every store returns: by UTF-16 code units, as `Array.prototype.sort`. */
export function sortUserIds(userIds: Iterable<string>): string[] {
  return [...userIds].sort();
}

/** The friend table in memory, kept by the rule of `friend-relation.ts`. */
export interface FriendTable {
  /** Applies one event, which arrived after every event applied so far; returns how many registers it changed. */
  apply(event: FriendEvent): number;
  friendsOf(input: FriendsOfInput): FriendList;
  /**
   * Removes up to `limit` tombstones (registers whose relation ended) whose `notBefore` is before
   * `before` (epoch milliseconds); returns how many. See `PruneInput.tombstonesBefore`.
   */
  removeTombstones(before: number, limit: number): number;
  /** Every register, by `relationRegisterKey`, in key order: two equal tables give equal snapshots. */
  snapshot(): Array<[string, RelationRegister]>;
}

export function createFriendTable(): FriendTable {
  const registers = new Map<string, RelationRegister>();
  return {
    apply(event) {
      let changed = 0;
      for (const change of relationChangesOf(event)) {
        const key = relationRegisterKey(change.provider, change.appId, change.owner, change.other, change.relation);
        const next = applyRelationChange(registers.get(key), change);
        if (next) {
          registers.set(key, next);
          changed += 1;
        }
      }
      return changed;
    },
    friendsOf({ provider, appId, userId }) {
      const friends: string[] = [];
      const blocked: string[] = [];
      for (const [key, register] of registers) {
        if (!register.value) continue;
        const [keyProvider, keyAppId, owner, other, relation] = JSON.parse(key) as [string, string, string, string, FriendRelation];
        if (keyProvider !== provider || keyAppId !== appId || owner !== userId) continue;
        (relation === "friend" ? friends : blocked).push(other);
      }
      return { friends: sortUserIds(friends), blocked: sortUserIds(blocked) };
    },
    removeTombstones(before, limit) {
      let removed = 0;
      for (const [key, register] of registers) {
        if (removed >= limit) break;
        if (register.value || register.notBefore >= before) continue;
        registers.delete(key);
        removed += 1;
      }
      return removed;
    },
    snapshot() {
      return [...registers.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    },
  };
}
