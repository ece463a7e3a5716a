import type { DeliveryResults } from "./delivery-results";

/** The target: a backlog drains into each server at least this share of the server's own write rate. */
export const drainOverServerTarget = 0.1;

const whole = (value: number) => Math.round(value).toLocaleString("en-US");
const oneDecimal = (value: number) => value.toFixed(1);

/** The drain's share of the server's own write rate, per server that was measured. */
export function drainRatios(results: DeliveryResults): Array<{ label: string; ratio: number | undefined }> {
  return results.destinations.map((destination) => ({
    label: destination.label,
    ratio:
      destination.drain && destination.serverEventsPerSecond ? destination.drain.eventsPerSecond / destination.serverEventsPerSecond : undefined,
  }));
}

export function deliverySection(results: DeliveryResults): string[] {
  const { backlog, settings } = results;
  const lines = [
    "## Delivery: a stored backlog drained into each server",
    "",
    `A backlog of ${whole(backlog.events)} events, stored in the SQLite store by ${whole(backlog.callbacks)} signed Tencent ` +
      `\`Sns.CallbackFriendAdd\` callbacks of ${whole(settings.pairsPerCallback)} pairs each (${whole(backlog.events / backlog.seconds)} events/s ` +
      `while storing it, four callbacks at a time, through \`receiver.handle\`), on ${whole(settings.pairs)} user pairs, ` +
      "with a delivery of each event to each server. Then, per server: the server's own write rate with the same events and the " +
      "client library the sink uses (half of them written just before the drain, half just after), and the drain of the backlog " +
      "by a receiver with that sink alone and the default delivery settings, until every event is stored and its delivery " +
      "settled in the store.",
    "",
    "| server | server's own write | server events/s | drained events/s | drain ÷ server | seconds | dead letters | stored by the sink |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const destination of results.destinations) {
    const { drain } = destination;
    if (!drain || destination.serverEventsPerSecond === undefined) {
      lines.push(`| ${destination.label} | ${destination.serverWrite} | not available: ${destination.unavailable ?? "–"} | | | | | |`);
      continue;
    }
    lines.push(
      `| ${destination.label} | ${destination.serverWrite} | ${whole(destination.serverEventsPerSecond)} | ${whole(drain.eventsPerSecond)} | ` +
        `${(drain.eventsPerSecond / destination.serverEventsPerSecond).toFixed(3)} | ${oneDecimal(drain.seconds)} | ${whole(drain.deadLettered)} | ${whole(destination.storedBySink ?? 0)} |`,
    );
  }
  lines.push(
    "",
    "Where a drain's time goes, in µs per event: the store's claims, the sink's `deliver` calls, the store's bookkeeping " +
      "(completions, failures), each summed over its calls; calls that overlap count whole, so the parts can add up to more than the elapsed time.",
    "",
    "| server | elapsed µs/event | claim | sink | bookkeeping | deliver calls | events per call |",
    "|---|--:|--:|--:|--:|--:|--:|",
  );
  for (const destination of results.destinations) {
    const { drain } = destination;
    if (!drain) continue;
    const time = drain.microsecondsPerEvent;
    lines.push(
      `| ${destination.label} | ${oneDecimal(time.total)} | ${oneDecimal(time.claim)} | ${oneDecimal(time.sink)} | ${oneDecimal(time.bookkeeping)} | ` +
        `${whole(drain.sinkCalls)} | ${whole(drain.events / Math.max(1, drain.sinkCalls))} |`,
    );
  }
  return lines;
}
