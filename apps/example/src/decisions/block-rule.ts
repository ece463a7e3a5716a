import type { FriendEventStore, FriendRequestDecision, PendingFriendRequest } from "@friendhook/core";

/**
 * The rule only a receiver with the friend table can apply: a user who blocks someone does not get
 * their friend requests, nor has a request of theirs accepted by them. It applies to a request, and
 * to a response that accepts; the friend table is read within the request's provider and app.
 * Returns the denial, or undefined when the rule has nothing against the request.
 */
export async function blockRuleDenial(
  store: Pick<FriendEventStore, "friendsOf">,
  request: PendingFriendRequest,
): Promise<Extract<FriendRequestDecision, { allow: false }> | undefined> {
  if (request.stage === "response" && request.accepting !== true) return undefined;
  const { blocked } = await store.friendsOf({ provider: request.provider, appId: request.appId, userId: request.target });
  if (!blocked.includes(request.actor)) return undefined;
  return { allow: false, reason: `${request.target} has blocked ${request.actor}` };
}
