import type { FriendEvent } from "../src/index";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyRelationChange, compareRelationVersions, createFriendTable, relationChangesOf } from "../src/index";
import { type EventType, relationEvent } from "./relation-event";

const table = (events: readonly FriendEvent[]) => {
  const friendTable = createFriendTable();
  for (const event of events) friendTable.apply(event);
  return friendTable;
};
const view = (events: readonly FriendEvent[], userId: string) => table(events).friendsOf({ provider: "fixture", appId: "demo#app", userId });

describe("the friend relation rule", () => {
  it("turns friend.added into friend registers, both ways only when mutual", () => {
    const oneWay = relationEvent("friend.added", "alice", "bob", 1, "one-way");
    expect(relationChangesOf(oneWay)).toEqual([
      { provider: "fixture", appId: "demo#app", owner: "alice", other: "bob", relation: "friend", value: true, version: { occurredAt: Date.parse(oneWay.occurredAt), eventId: oneWay.id } },
    ]);
    const mutual = relationEvent("friend.removed", "alice", "bob", 1, "mutual", true);
    expect(relationChangesOf(mutual).map((change) => [change.owner, change.other, change.relation, change.value])).toEqual([
      ["alice", "bob", "friend", false],
      ["bob", "alice", "friend", false],
    ]);
  });

  it("turns friend.blocked and friend.unblocked into blocked registers of the actor", () => {
    expect(relationChangesOf(relationEvent("friend.blocked", "alice", "mallory", 1, "b")).map((change) => [change.owner, change.relation, change.value])).toEqual([["alice", "blocked", true]]);
    expect(relationChangesOf(relationEvent("friend.unblocked", "alice", "mallory", 1, "u")).map((change) => [change.owner, change.relation, change.value])).toEqual([["alice", "blocked", false]]);
  });

  it("ignores request events and failed operations", () => {
    for (const type of ["friend.request.sent", "friend.request.accepted", "friend.request.declined", "friend.operation.failed"] as const) {
      expect(relationChangesOf(relationEvent(type, "alice", "bob", 1, type, true))).toEqual([]);
    }
  });

  it("orders versions by time, then by event id as a string", () => {
    expect(compareRelationVersions({ occurredAt: 1, eventId: "evt_b" }, { occurredAt: 2, eventId: "evt_a" })).toBeLessThan(0);
    expect(compareRelationVersions({ occurredAt: 2, eventId: "evt_a" }, { occurredAt: 2, eventId: "evt_b" })).toBeLessThan(0);
    expect(compareRelationVersions({ occurredAt: 2, eventId: "evt_b" }, { occurredAt: 2, eventId: "evt_a" })).toBeGreaterThan(0);
    expect(compareRelationVersions({ occurredAt: 2, eventId: "evt_a" }, { occurredAt: 2, eventId: "evt_a" })).toBe(0);
  });

  it("applies a change only when it is newer, keeping removals as tombstones", () => {
    const [added] = relationChangesOf(relationEvent("friend.added", "alice", "bob", 5, "added"));
    const [removed] = relationChangesOf(relationEvent("friend.removed", "alice", "bob", 9, "removed"));
    if (!added || !removed) throw new Error("expected one change each");
    const tombstone = applyRelationChange(undefined, removed);
    expect(tombstone).toEqual({ value: false, version: removed.version });
    expect(applyRelationChange(tombstone, added)).toBeUndefined();
    expect(applyRelationChange(tombstone, removed)).toBeUndefined();
    expect(applyRelationChange({ value: true, version: added.version }, removed)).toEqual(tombstone);
  });

  it("keeps friends and blocks apart, per app, sorted", () => {
    const events = [
      relationEvent("friend.added", "alice", "dave", 1, "1", true),
      relationEvent("friend.added", "alice", "bob", 2, "2", true),
      relationEvent("friend.blocked", "alice", "bob", 3, "3"),
      relationEvent("friend.added", "alice", "carol", 4, "4", true, "other#app"),
    ];
    expect(view(events, "alice")).toEqual({ friends: ["bob", "dave"], blocked: ["bob"] });
    expect(view(events, "bob")).toEqual({ friends: ["alice"], blocked: [] });
  });
});

const users = ["alice", "bob", "carol"];
const relationshipTypes: EventType[] = ["friend.added", "friend.removed", "friend.blocked", "friend.unblocked", "friend.request.sent", "friend.operation.failed"];

/** Distinct events over few users and few seconds, so that versions tie and registers collide often. */
const eventsArbitrary = fc
  .array(
    fc.record({
      type: fc.constantFrom(...relationshipTypes),
      actor: fc.constantFrom(...users),
      target: fc.constantFrom(...users),
      second: fc.integer({ min: 0, max: 4 }),
      mutual: fc.boolean(),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((specs) => specs.map((spec, index) => relationEvent(spec.type, spec.actor, spec.target, spec.second, `property-${index}`, spec.mutual)));

const deliveriesArbitrary = eventsArbitrary.chain((events) =>
  fc
    .array(fc.constantFrom(...events), { maxLength: 30 })
    .chain((duplicates) => fc.shuffledSubarray([...events, ...duplicates], { minLength: events.length + duplicates.length }))
    .map((delivered) => ({ events, delivered })),
);

describe("convergence (property-based; fast-check prints the seed and path of a failure)", () => {
  it("reaches the same table whatever the delivery order and however many duplicates", () => {
    fc.assert(
      fc.property(deliveriesArbitrary, ({ events, delivered }) => {
        expect(table(delivered).snapshot()).toEqual(table(events).snapshot());
      }),
      { numRuns: 300 },
    );
  });

  it("makes each register hold the value of its newest event", () => {
    fc.assert(
      fc.property(deliveriesArbitrary, ({ events, delivered }) => {
        const newest = new Map<string, { value: boolean; version: { occurredAt: number; eventId: string } }>();
        for (const change of events.flatMap(relationChangesOf)) {
          const key = JSON.stringify([change.provider, change.appId, change.owner, change.other, change.relation]);
          const current = newest.get(key);
          if (!current || compareRelationVersions(change.version, current.version) > 0) newest.set(key, { value: change.value, version: change.version });
        }
        expect(new Map(table(delivered).snapshot())).toEqual(newest);
      }),
      { numRuns: 300 },
    );
  });
});
