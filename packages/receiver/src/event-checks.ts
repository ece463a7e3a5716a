import { type FriendEvent, FriendhookError, isUserId, maximumUserIdLength } from "@friendhook/core";

/**
 * Refuses events whose user ids break the model's rule (too long, control characters) before they
 * reach the store: a NUL in a user id would fail a PostgreSQL append, and the provider would retry a
 * callback that can never be stored. One regular expression per id rather than a schema parse per
 * event: this runs for every event of every callback.
 */
export function checkEventUserIds(events: readonly FriendEvent[]): FriendhookError | undefined {
  for (const event of events) {
    if (isUserId(event.actor) && isUserId(event.target)) continue;
    const field = isUserId(event.actor) ? "target" : "actor";
    return new FriendhookError(
      "invalid_payload",
      `An event's ${field} is not a user id friendhook accepts: 1 to ${maximumUserIdLength} characters, no control characters.`,
      { provider: event.provider },
    );
  }
  return undefined;
}
