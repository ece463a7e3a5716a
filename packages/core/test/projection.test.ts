import type { FriendEvent, OccurredAtSource, RelationChange, RelationRegister } from "../src/index";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyRelationChange,
  clockSkewMs,
  createFriendTable,
  foldRelationChanges,
  isClearlyBefore,
  orderingWindowOf,
  relationChangesOf,
  relationRegisterKey,
} from "../src/index";
import { type EventType, relationEvent } from "./relation-event";

const table = (events: readonly FriendEvent[]) => {
  const friendTable = createFriendTable();
  for (const event of events) friendTable.apply(event);
  return friendTable;
};
const view = (events: readonly FriendEvent[], userId: string) => table(events).friendsOf({ provider: "fixture", appId: "demo#app", userId });
const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

describe("the friend relation rule", () => {
  it("turns friend.added into friend registers, both ways only when mutual", () => {
    const oneWay = relationEvent("friend.added", "alice", "bob", 1, "one-way");
    expect(relationChangesOf(oneWay)).toEqual([
      {
        provider: "fixture",
        appId: "demo#app",
        owner: "alice",
        other: "bob",
        relation: "friend",
        value: true,
        eventId: oneWay.id,
        occurredAt: Date.parse(oneWay.occurredAt),
        window: orderingWindowOf(oneWay),
      },
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

describe("ordering windows", () => {
  const at = Date.UTC(2024, 0, 1, 12, 0, 0);
  const timed = (source: OccurredAtSource, occurredAt: number, receivedAt = occurredAt) =>
    orderingWindowOf({ occurredAt: iso(occurredAt), occurredAtSource: source, receivedAt: iso(receivedAt) });

  it("widens a time by its precision and by the skew on both sides", () => {
    expect(clockSkewMs).toBe(5_000);
    expect(timed("provider-milliseconds", at)).toEqual({ earliest: at - 5_000, latest: at + 1 + 5_000 });
    expect(timed("received", at)).toEqual({ earliest: at - 5_000, latest: at + 1 + 5_000 });
    // A time in whole seconds names the start of its second: the change happened within it.
    expect(timed("provider-seconds", at)).toEqual({ earliest: at - 5_000, latest: at + 1_000 + 5_000 });
  });

  it("bounds a provider time by the receive time plus the skew", () => {
    expect(timed("provider-milliseconds", at + 5_000, at)).toEqual(timed("provider-milliseconds", at + 5_000));
    expect(timed("provider-milliseconds", at + 60_000, at)).toEqual(timed("provider-milliseconds", at + 5_000));
    const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59);
    expect(timed("provider-seconds", year9999, at)).toEqual({ earliest: at, latest: at + 1_000 + 10_000 });
    // A time in the past is the provider's word for a retry that comes late: it stands.
    expect(timed("provider-seconds", at - 3_600_000, at).earliest).toBe(at - 3_600_000 - 5_000);
  });

  it("calls a change clearly before another only when its window ends where the other's begins", () => {
    const first = timed("provider-milliseconds", at);
    expect(isClearlyBefore(first, timed("provider-milliseconds", at + 10_001))).toBe(true);
    expect(isClearlyBefore(first, timed("provider-milliseconds", at + 10_000))).toBe(false);
    expect(isClearlyBefore(timed("provider-milliseconds", at + 10_001), first)).toBe(false);
    expect(isClearlyBefore(timed("provider-seconds", at), timed("provider-seconds", at + 11_000))).toBe(true);
    expect(isClearlyBefore(timed("provider-seconds", at), timed("provider-seconds", at + 10_000))).toBe(false);
  });
});

describe("applying changes in arrival order", () => {
  const base = Date.UTC(2024, 0, 1, 12, 0, 0);
  /** One change of alice's friend register at `second` seconds past `base`. */
  const change = (value: boolean, second: number, name: string): RelationChange => {
    const [only] = relationChangesOf(relationEvent(value ? "friend.added" : "friend.removed", "alice", "bob", 43_200 + second, name));
    if (!only) throw new Error("expected one change");
    return only;
  };

  it("applies a change unless it is clearly older than one applied, keeping removals as tombstones", () => {
    const added = change(true, 0, "added");
    const removed = change(false, 20, "removed");
    const tombstone = applyRelationChange(undefined, removed);
    expect(tombstone).toEqual({ value: false, eventId: removed.eventId, occurredAt: base + 20_000, notBefore: base + 15_000 });
    expect(applyRelationChange(tombstone, added)).toBeUndefined();
    expect(applyRelationChange({ value: true, eventId: added.eventId, occurredAt: base, notBefore: base - 5_000 }, removed)).toEqual(tombstone);
  });

  it("lets the later arrival win when the times cannot tell, whichever time is greater", () => {
    const earlierTime = change(false, 0, "earlier-time");
    const laterTime = change(true, 3, "later-time");
    expect(foldRelationChanges([laterTime, earlierTime])?.value).toBe(false);
    expect(foldRelationChanges([earlierTime, laterTime])?.value).toBe(true);
  });

  it("keeps out a change clearly older than any change applied, not only the one holding the register", () => {
    // `newest` is clearly newer than `oldest`; `middle` overlaps both. Arriving newest, middle,
    // oldest: middle wins by arrival, and oldest must not, since newest happened after it.
    const newest = change(true, 12, "newest");
    const middle = change(false, 6, "middle");
    const oldest = change(true, 0, "oldest");
    expect(isClearlyBefore(oldest.window, newest.window)).toBe(true);
    expect(isClearlyBefore(oldest.window, middle.window)).toBe(false);
    expect(foldRelationChanges([newest, middle, oldest])).toMatchObject({ value: false, eventId: middle.eventId });
  });

  it("does not keep two friends when a delete in whole seconds arrives a few ms after an add without a time (Tencent)", () => {
    // Sns.CallbackFriendAdd carries no time (occurredAt is the receive time); Sns.CallbackFriendDelete
    // carries TimeStamp in seconds, the start of a second that began before the add was received.
    const receivedAt = Date.UTC(2015, 4, 19, 1, 46, 40, 700);
    const added = relationEvent("friend.added", "id", "id1", 0, "tencent-add", false, "1400000000", {
      occurredAt: iso(receivedAt),
      occurredAtSource: "received",
      receivedAt: iso(receivedAt),
    });
    const removed = relationEvent("friend.removed", "id", "id1", 0, "tencent-delete", false, "1400000000", {
      occurredAt: iso(1_432_000_000 * 1000),
      occurredAtSource: "provider-seconds",
      receivedAt: iso(receivedAt + 5),
    });
    expect(table([added, removed]).friendsOf({ provider: "fixture", appId: "1400000000", userId: "id" })).toEqual({ friends: [], blocked: [] });
    // Arriving the other way round (the add's callback last), the add is what happened last.
    expect(table([removed, added]).friendsOf({ provider: "fixture", appId: "1400000000", userId: "id" })).toEqual({ friends: ["id1"], blocked: [] });
  });

  it("lets a real unblock lift a block dated 9999", () => {
    const receivedAt = Date.UTC(2024, 0, 1, 12, 0, 0);
    const forged = relationEvent("friend.blocked", "alice", "mallory", 0, "forged", false, "demo#app", {
      occurredAt: iso(Date.UTC(9999, 11, 31, 23, 59, 59)),
      occurredAtSource: "provider-seconds",
      receivedAt: iso(receivedAt),
    });
    const unblocked = (afterMs: number, name: string) =>
      relationEvent("friend.unblocked", "alice", "mallory", 0, name, false, "demo#app", {
        occurredAt: iso(Math.floor((receivedAt + afterMs) / 1000) * 1000),
        occurredAtSource: "provider-seconds",
        receivedAt: iso(receivedAt + afterMs),
      });
    expect(view([forged], "alice").blocked).toEqual(["mallory"]);
    expect(view([forged, unblocked(2_000, "soon")], "alice").blocked).toEqual([]);
    expect(view([forged, unblocked(3_600_000, "an hour later")], "alice").blocked).toEqual([]);
  });
});

const users = ["alice", "bob", "carol"];
const relationshipTypes: EventType[] = ["friend.added", "friend.removed", "friend.blocked", "friend.unblocked", "friend.request.sent", "friend.operation.failed"];
const sources: OccurredAtSource[] = ["provider-seconds", "provider-milliseconds", "received"];

/** Distinct events over few users and a few seconds, so that windows overlap and registers collide often; in arrival order. */
const arrivalsArbitrary = fc
  .array(
    fc.record({
      type: fc.constantFrom(...relationshipTypes),
      actor: fc.constantFrom(...users),
      target: fc.constantFrom(...users),
      millisecond: fc.integer({ min: 0, max: 40_000 }),
      source: fc.constantFrom(...sources),
      future: fc.boolean(),
      mutual: fc.boolean(),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((specs) =>
    specs.map((spec, index) => {
      const second = spec.millisecond / 1000;
      const event = relationEvent(spec.type, spec.actor, spec.target, second, `property-${index}`, spec.mutual);
      const occurredAt = spec.source === "provider-seconds" ? Math.floor(Date.parse(event.occurredAt) / 1000) * 1000 : Date.parse(event.occurredAt);
      return {
        ...event,
        occurredAt: iso(spec.future ? occurredAt + 60_000 : occurredAt),
        occurredAtSource: spec.source,
      } as FriendEvent;
    }),
  );

/** The rule stated over the whole history: each register holds the last arrival among the changes no other change is clearly newer than. */
function expectedRegisters(arrivals: readonly FriendEvent[]): Map<string, boolean> {
  const changesByKey = new Map<string, RelationChange[]>();
  for (const change of arrivals.flatMap(relationChangesOf)) {
    const key = relationRegisterKey(change.provider, change.appId, change.owner, change.other, change.relation);
    changesByKey.set(key, [...(changesByKey.get(key) ?? []), change]);
  }
  const expected = new Map<string, boolean>();
  for (const [key, changes] of changesByKey) {
    const undominated = changes.filter((candidate) => !changes.some((other) => isClearlyBefore(candidate.window, other.window)));
    expected.set(key, undominated.at(-1)?.value ?? false);
  }
  return expected;
}

describe("the rule over whole histories (property-based; fast-check prints the seed and path of a failure)", () => {
  it("holds, per register, the last arrival among the changes no other change is clearly newer than", () => {
    fc.assert(
      fc.property(arrivalsArbitrary, (arrivals) => {
        const registers = new Map(table(arrivals).snapshot().map(([key, register]: [string, RelationRegister]) => [key, register.value]));
        expect(registers).toEqual(expectedRegisters(arrivals));
      }),
      { numRuns: 500 },
    );
  });

  it("ends with the newest change whatever the arrival order when the changes are far enough apart", () => {
    const spaced = fc
      .array(fc.record({ type: fc.constantFrom(...relationshipTypes), gap: fc.integer({ min: 12_000, max: 60_000 }), source: fc.constantFrom(...sources) }), {
        minLength: 1,
        maxLength: 12,
      })
      .chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs.map((_, index) => index), { minLength: specs.length })));
    fc.assert(
      fc.property(spaced, ([specs, order]) => {
        let millisecond = 0;
        const events = specs.map((spec, index) => {
          millisecond += spec.gap;
          const second = spec.source === "provider-seconds" ? Math.floor(millisecond / 1000) : millisecond / 1000;
          return relationEvent(spec.type, "alice", "bob", second, `spaced-${index}`, false, "demo#app", { occurredAtSource: spec.source });
        });
        const shuffled = order.map((index) => events[index] as FriendEvent);
        expect(table(shuffled).snapshot()).toEqual(table(events).snapshot());
      }),
      { numRuns: 300 },
    );
  });
});
