import type { DeliveryResults } from "../delivery/delivery-results";
import type { IngestStages } from "./ingest-stages";

const microseconds = (nanoseconds: number | undefined) =>
  nanoseconds === undefined || Number.isNaN(nanoseconds) ? "–" : (nanoseconds / 1000).toFixed(2);

/**
 * Where the time of one event goes, from the bytes to the sinks: the ingest stages measured apart,
 * and delivery from the drains of the delivery part (when it ran).
 */
export function stagesSection(stages: readonly IngestStages[], delivery: DeliveryResults | undefined): string[] {
  const lines = [
    "## Where the time goes, per event",
    "",
    "Each stage of ingest timed on its own, in process, interleaved (medians), for signed Tencent " +
      "`Sns.CallbackFriendAdd` callbacks: parse is UTF-8 decoding and `JSON.parse` of the body; validate is the " +
      "command's zod schema over the parsed body; ids is `deriveEventId` for every pair; build and authenticate is what " +
      "`adapter.receive` takes beyond those three (the signature, the event objects); store is `store.append` of the " +
      "events, the callback's body and a delivery per event (in memory; SQLite with its fsync; PostgreSQL on 127.0.0.1, " +
      "in a process of its own after the others, – when it does not answer; appends one at a time, so no group commit " +
      "shares a commit). All in µs per event.",
    "",
    "| pairs per callback | parse | validate | ids | build and authenticate | `adapter.receive` in all | store: in memory | store: SQLite | store: PostgreSQL |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const stage of stages) {
    const rest = stage.receive - stage.parse - stage.validate - stage.ids;
    lines.push(
      `| ${stage.pairs.toLocaleString("en-US")} | ${microseconds(stage.parse)} | ${microseconds(stage.validate)} | ${microseconds(stage.ids)} | ` +
        `${microseconds(rest)} | ${microseconds(stage.receive)} | ${microseconds(stage.storeInMemory)} | ${microseconds(stage.storeSqlite)} | ` +
        `${microseconds(stage.storePostgres)} |`,
    );
  }
  const drained = delivery?.destinations.filter((destination) => destination.drain !== undefined) ?? [];
  if (drained.length > 0) {
    lines.push(
      "",
      "Deliver, from the drains above (a backlog of 1,000-pair callbacks): µs per event from the SQLite store to the server, " +
        "claims, sink calls and bookkeeping included: " +
        drained.map((destination) => `${destination.sinkName} ${(destination.drain?.microsecondsPerEvent.total ?? 0).toFixed(1)}`).join(", ") +
        ".",
    );
  }
  return lines;
}
