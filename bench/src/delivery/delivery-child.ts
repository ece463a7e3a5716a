import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FriendEvent } from "@friendhook/core";
import { createSqliteStore } from "@friendhook/sqlite";
import { storeBacklog } from "./backlog";
import { type Destination, natsDestination, postgresDestination, redisDestination } from "./destinations";
import { drainBacklog } from "./drain";
import type { DeliveryResults, DestinationResult, DeliverySettings } from "./delivery-results";

/**
 * The delivery suite, in a child process of its own: one backlog stored in SQLite with a delivery
 * per event for each server, then for each server its own write rate with the same events, and the
 * drain of the backlog into it by a receiver with that one sink. Settings come as JSON in argv; the
 * results go back over IPC.
 */
const settings = JSON.parse(process.argv[2] ?? "{}") as DeliverySettings;
const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const directory = mkdtempSync(join(tmpdir(), "friendhook-bench-delivery-"));
const filename = "backlog.db";
const log = (line: string) => process.stderr.write(`delivery: ${line}\n`);

const destinations: Destination[] = [redisDestination(runId, settings.events), natsDestination(runId), postgresDestination(runId)];
const available: Destination[] = [];
const results: DestinationResult[] = [];
for (const destination of destinations) {
  try {
    await destination.ready();
    available.push(destination);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    results.push({ sinkName: destination.sinkName, label: destination.label, serverWrite: destination.serverWrite, unavailable: reason });
    await destination.cleanUp().catch(() => undefined);
  }
}

let output: DeliveryResults;
try {
  const backlog = await storeBacklog({
    directory,
    filename,
    events: settings.events,
    pairsPerCallback: settings.pairsPerCallback,
    pairs: settings.pairs,
    sinkNames: available.map((destination) => destination.sinkName),
  });
  log(`stored ${backlog.events} events in ${backlog.seconds.toFixed(1)} s`);

  // The server's own write rate is measured with the backlog's own events.
  const reader = createSqliteStore({ directory, filename });
  const events: FriendEvent[] = [];
  for (let after: string | undefined; events.length < backlog.events; ) {
    const page = await reader.listEvents({ limit: 1000, ...(after === undefined ? {} : { after }) });
    events.push(...page.events);
    if (page.next === undefined) break;
    after = page.next;
  }
  await reader.close();

  for (const destination of available) {
    try {
      // The server's own writes in two halves, one before the drain and one after, so that a change
      // of the machine's load during the drain falls on both figures alike.
      const half = Math.floor(events.length / 2);
      const writeTimed = async (part: readonly FriendEvent[]) => {
        const startedAt = performance.now();
        await destination.writeDirectly(part);
        return (performance.now() - startedAt) / 1000;
      };
      let serverSeconds = await writeTimed(events.slice(0, half));
      const drain = await drainBacklog(createSqliteStore({ directory, filename }), destination.createSink(), backlog.events, settings.deadlineMs);
      serverSeconds += await writeTimed(events.slice(half));
      log(`${destination.sinkName}: the server took ${Math.round(events.length / serverSeconds)} events/s`);
      log(`${destination.sinkName}: drained at ${Math.round(drain.eventsPerSecond)} events/s`);
      results.push({
        sinkName: destination.sinkName,
        label: destination.label,
        serverWrite: destination.serverWrite,
        serverEventsPerSecond: events.length / serverSeconds,
        drain,
        storedBySink: await destination.storedBySink(),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log(`${destination.sinkName}: ${reason}`);
      results.push({ sinkName: destination.sinkName, label: destination.label, serverWrite: destination.serverWrite, unavailable: reason });
    }
  }
  output = { settings, backlog, destinations: results };
} finally {
  for (const destination of available) await destination.cleanUp().catch(() => undefined);
  rmSync(directory, { recursive: true, force: true });
}
process.send?.({ type: "results", results: output }, () => process.disconnect?.());
