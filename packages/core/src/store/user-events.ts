import type { FriendEvent } from "../friend-event";
import type { EventPage } from "./friend-event-store";

/** A stored event with its place in the store's arrival order. */
export interface SequencedEvent<Sequence extends number | string = number> {
  readonly sequence: Sequence;
  readonly event: FriendEvent;
}

/**
 * A user's page from two index reads, one by actor and one by target, each at most `limit` events
 * after the cursor in stored order: merged by sequence, an event in both (the user as its actor and
 * its target) once, cut to `limit`. Two ordered index ranges, where one `actor = ? OR target = ?`
 * would make a database sort every event of the user.
 */
export function mergeUserEvents(asActor: ReadonlyArray<SequencedEvent<number | string>>, asTarget: ReadonlyArray<SequencedEvent<number | string>>, limit: number): EventPage {
  const bySequence = new Map<number, FriendEvent>();
  for (const row of [...asActor, ...asTarget]) bySequence.set(Number(row.sequence), row.event);
  const merged = [...bySequence.entries()].sort(([left], [right]) => left - right).slice(0, limit);
  const last = merged.at(-1);
  return { events: merged.map(([, event]) => event), next: last === undefined ? undefined : String(last[0]) };
}
