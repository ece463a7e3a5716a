import type { FriendEvent } from "../src/index";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFriendTable, explainRelationHistory, relationRegisterKey } from "../src/index";
import { type EventType, relationEvent } from "./relation-event";

describe("explainRelationHistory", () => {
  it("says which change of a register won, which were ignored as clearly older, and why", () => {
    const added = relationEvent("friend.added", "alice", "bob", 100, "added");
    const lateRemoval = relationEvent("friend.removed", "alice", "bob", 10, "late-removal");
    const blocked = relationEvent("friend.blocked", "alice", "bob", 200, "blocked");
    const close = relationEvent("friend.unblocked", "alice", "bob", 201, "close");
    const histories = explainRelationHistory([added, lateRemoval, blocked, close]);

    const friend = histories.find((history) => history.relation === "friend");
    expect(friend).toMatchObject({ owner: "alice", other: "bob", value: true, winner: added.id });
    expect(friend?.steps.map((step) => [step.eventId, step.outcome, step.won])).toEqual([
      [added.id, "applied", true],
      [lateRemoval.id, "ignored", false],
    ]);
    expect(friend?.steps[1]?.clearlyOlderThan).toBe(added.id);
    expect(friend?.steps[1]?.reason).toMatch(/^Clearly older/);

    const block = histories.find((history) => history.relation === "blocked");
    expect(block).toMatchObject({ value: false, winner: close.id });
    // One second apart, within the clock skew: their times cannot order them, arrival does.
    expect(block?.steps[1]?.reason).toMatch(/arrival order decides/);
  });

  it("calls a change clearly newer when its window begins after the last applied one ends", () => {
    const histories = explainRelationHistory([
      relationEvent("friend.blocked", "alice", "bob", 0, "first"),
      relationEvent("friend.unblocked", "alice", "bob", 60, "later"),
    ]);
    expect(histories[0]?.steps[1]?.reason).toMatch(/^Clearly newer/);
  });

  it("ends every register at the friend table's value, whatever the events and their order", () => {
    const types: EventType[] = ["friend.added", "friend.removed", "friend.blocked", "friend.unblocked", "friend.request.sent"];
    const eventArbitrary = fc.record({
      type: fc.constantFrom(...types),
      actor: fc.constantFrom("alice", "bob", "carol"),
      target: fc.constantFrom("alice", "bob", "carol"),
      second: fc.integer({ min: 0, max: 30 }),
      mutual: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 30 }), (specifications) => {
        const events: FriendEvent[] = specifications.map((specification, index) =>
          relationEvent(specification.type, specification.actor, specification.target, specification.second, `event-${index}`, specification.mutual),
        );
        const table = createFriendTable();
        for (const event of events) table.apply(event);
        const registers = new Map(table.snapshot());
        const histories = explainRelationHistory(events);
        expect(histories.length).toBe(registers.size);
        for (const history of histories) {
          const register = registers.get(relationRegisterKey(history.provider, history.appId, history.owner, history.other, history.relation));
          expect({ value: history.value, winner: history.winner }).toEqual({ value: register?.value, winner: register?.eventId });
          expect(history.steps.filter((step) => step.won)).toHaveLength(1);
        }
      }),
    );
  });
});
