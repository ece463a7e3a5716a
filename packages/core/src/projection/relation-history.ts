import type { FriendEvent, OccurredAtSource } from "../friend-event";
import { type FriendRelation, type RelationRegister, applyRelationChange, relationChangesOf } from "./friend-relation";
import { relationRegisterKey } from "./friend-table";
import { type OrderingWindow, isClearlyBefore } from "./ordering-window";

/** One change of a register, as the friend table's rule judged it. */
export interface RelationHistoryStep {
  readonly eventId: string;
  readonly type: FriendEvent["type"];
  /** The value the change asks for: the relation holds (`true`) or ends. */
  readonly value: boolean;
  readonly occurredAt: string;
  readonly occurredAtSource: OccurredAtSource;
  readonly receivedAt: string;
  /** The change's ordering window, epoch milliseconds (see `orderingWindowOf`). */
  readonly window: OrderingWindow;
  /** `applied`: the register took its value. `ignored`: it is clearly older than a change applied before it. */
  readonly outcome: "applied" | "ignored";
  /** For an ignored change: the applied change whose window begins at or after this one's end. */
  readonly clearlyOlderThan?: string;
  /** The register's value holds from this change (the last one applied). */
  readonly won: boolean;
  /** Why, in a sentence an operator can read. */
  readonly reason: string;
}

/** The history of one register (owner, other, relation) within one app of one provider. */
export interface RelationHistory {
  readonly provider: string;
  readonly appId: string;
  readonly owner: string;
  readonly other: string;
  readonly relation: FriendRelation;
  /** The register's value after every step. */
  readonly value: boolean;
  /** The change that set `value`. */
  readonly winner: string;
  /** In arrival order. */
  readonly steps: RelationHistoryStep[];
}

function instant(epochMilliseconds: number): string {
  return Number.isFinite(epochMilliseconds) ? new Date(epochMilliseconds).toISOString() : String(epochMilliseconds);
}

interface Replay {
  readonly history: Omit<RelationHistory, "value" | "winner" | "steps">;
  readonly steps: Array<Omit<RelationHistoryStep, "won">>;
  register: RelationRegister | undefined;
  /** The applied change whose window begins at `register.notBefore`. */
  notBeforeEventId: string;
  lastAppliedWindow: OrderingWindow | undefined;
}

/**
 * Replays the friend table's rule (`applyRelationChange`) over `events`, which must be every event
 * that touched the registers wanted, in arrival order (a user's events from `listUserEvents`, from
 * the first): for each register, each change with whether it applied and why. The last register
 * value equals the store's friend table for the same events.
 */
export function explainRelationHistory(events: Iterable<FriendEvent>): RelationHistory[] {
  const replays = new Map<string, Replay>();
  for (const event of events) {
    for (const change of relationChangesOf(event)) {
      const key = relationRegisterKey(change.provider, change.appId, change.owner, change.other, change.relation);
      const replay: Replay = replays.get(key) ?? {
        history: { provider: change.provider, appId: change.appId, owner: change.owner, other: change.other, relation: change.relation },
        steps: [],
        register: undefined,
        notBeforeEventId: change.eventId,
        lastAppliedWindow: undefined,
      };
      replays.set(key, replay);
      const before = replay.register;
      const next = applyRelationChange(before, change);
      const shared = {
        eventId: event.id,
        type: event.type,
        value: change.value,
        occurredAt: event.occurredAt,
        occurredAtSource: event.occurredAtSource,
        receivedAt: event.receivedAt,
        window: change.window,
      };
      if (before === undefined) {
        replay.steps.push({ ...shared, outcome: "applied", reason: "The first change of this relation." });
      } else if (next === undefined) {
        replay.steps.push({
          ...shared,
          outcome: "ignored",
          clearlyOlderThan: replay.notBeforeEventId,
          reason: `Clearly older: its window ends at ${instant(change.window.latest)}, at or before ${instant(before.notBefore)}, where the window of ${replay.notBeforeEventId} (applied before it) begins. A late change cannot undo a newer one.`,
        });
        continue;
      } else if (replay.lastAppliedWindow && isClearlyBefore(replay.lastAppliedWindow, change.window)) {
        replay.steps.push({ ...shared, outcome: "applied", reason: "Clearly newer by its time than the change applied before it." });
      } else {
        replay.steps.push({
          ...shared,
          outcome: "applied",
          reason: `Its time cannot order it against the changes applied before it (its window ends at ${instant(change.window.latest)}, after ${instant(before.notBefore)}): arrival order decides, and it arrived later.`,
        });
      }
      replay.lastAppliedWindow = change.window;
      if (next && (before === undefined || next.notBefore !== before.notBefore)) replay.notBeforeEventId = change.eventId;
      replay.register = next ?? before;
    }
  }
  return [...replays.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([, replay]) => {
      const register = replay.register as RelationRegister;
      return {
        ...replay.history,
        value: register.value,
        winner: register.eventId,
        steps: replay.steps.map((step) => ({ ...step, won: step.eventId === register.eventId && step.outcome === "applied" })),
      };
    });
}
