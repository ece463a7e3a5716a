import { deliveryOrderKey } from "@friendhook/core";
import type { HeldDelivery, LeasedDelivery } from "./delivery-round";

/** The deliveries one round of a lane works on. */
export interface DeliveryLane {
  readonly claimed: LeasedDelivery[];
  readonly held: HeldDelivery[];
}

/**
 * Splits what a worker holds into at most `count` lanes that can be delivered side by side: every
 * delivery of a user pair (`deliveryOrderKey`) goes to the same lane, in stored order, so a lane
 * delivering its events one call after another keeps each pair's order, and lanes never share a
 * pair. A held delivery goes where its pair is (its blocker is of the same pair). Each pair goes to
 * the lane with the fewest deliveries so far, so that the lanes finish at about the same time.
 * Lanes left empty are dropped.
 */
export function splitIntoLanes(claimed: readonly LeasedDelivery[], held: readonly HeldDelivery[], count: number): DeliveryLane[] {
  const pairs = new Map<string, { claimed: LeasedDelivery[]; held: HeldDelivery[] }>();
  const pairOf = (item: LeasedDelivery) => {
    const key = deliveryOrderKey(item.delivery.event);
    let pair = pairs.get(key);
    if (!pair) {
      pair = { claimed: [], held: [] };
      pairs.set(key, pair);
    }
    return pair;
  };
  for (const item of claimed) pairOf(item).claimed.push(item);
  for (const item of held) pairOf(item).held.push(item);

  const lanes: DeliveryLane[] = Array.from({ length: Math.max(1, count) }, () => ({ claimed: [], held: [] }));
  const sizes = lanes.map(() => 0);
  for (const pair of pairs.values()) {
    let smallest = 0;
    for (let lane = 1; lane < lanes.length; lane += 1) if ((sizes[lane] as number) < (sizes[smallest] as number)) smallest = lane;
    const lane = lanes[smallest] as DeliveryLane;
    lane.claimed.push(...pair.claimed);
    lane.held.push(...pair.held);
    sizes[smallest] = (sizes[smallest] as number) + pair.claimed.length + pair.held.length;
  }
  // Within a lane, claimed deliveries keep the store's order: pairs interleave as they were stored.
  const order = new Map(claimed.map((item, index) => [item.delivery.deliveryId, index]));
  for (const lane of lanes) lane.claimed.sort((left, right) => (order.get(left.delivery.deliveryId) ?? 0) - (order.get(right.delivery.deliveryId) ?? 0));
  return lanes.filter((lane) => lane.claimed.length > 0 || lane.held.length > 0);
}
