import { FriendhookError } from "./friendhook-error";

/**
 * Refuses a callback that would make more events than `maximum` (`too_many_events`, 413). Adapters
 * call it with a count taken before any event is made (the length of the callback's list of
 * changes), so that a refused flood costs its parse and nothing more. `counted` says what was
 * counted, for the message ("The Sns.CallbackFriendAdd callback lists 12 changes in PairList"); it
 * is called only for a refusal.
 */
export function checkEventCount(
  count: number,
  maximum: number,
  provider: string,
  counted: () => string = () => `The callback would make ${count} events`,
): void {
  if (count > maximum) {
    throw new FriendhookError("too_many_events", `${counted()}, more than maximumEventsPerCallback (${maximum}).`, { provider });
  }
}
