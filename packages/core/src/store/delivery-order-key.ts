import type { FriendEvent } from "../friend-event";

/**
 * Deliveries of one sink are ordered per (provider, appId, unordered user pair): whatever happens
 * between alice and bob reaches a sink in the order it was stored, while other pairs go ahead.
 * JSON encoding keeps the parts apart whatever characters the ids contain.
 */
export function deliveryOrderKey(event: Pick<FriendEvent, "provider" | "appId" | "actor" | "target">): string {
  const [first, second] = event.actor <= event.target ? [event.actor, event.target] : [event.target, event.actor];
  return JSON.stringify([event.provider, event.appId, first, second]);
}
