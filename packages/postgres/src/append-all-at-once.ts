import type { FriendEvent } from "@friendhook/core";
import { type AppendInput, type AppendResult, relationChangesOf } from "@friendhook/core";
import type { ClientBase } from "pg";
import { insertQueuedDeliveries, queuedDeliveriesOf } from "./deliveries";
import { insertEventRows } from "./event-rows";
import { applyRelationChangesInDatabase } from "./friend-table";
import type { TableNames } from "./table-names";
import { insertUnrecognizedCallbacks } from "./unrecognized-callbacks";

/** Splits per-position flags of the batch's events into one list per append, by their event counts. */
function storedEventsPerAppend(inputs: readonly AppendInput[], stored: readonly boolean[]): FriendEvent[][] {
  let start = 0;
  return inputs.map((input) => {
    const flags = stored.slice(start, start + input.events.length);
    start += input.events.length;
    return input.events.filter((_, position) => flags[position]);
  });
}

/** Whether each append's unrecognized callback was new; `false` for an append without one. */
async function insertUnrecognizedOfAppends(client: ClientBase, tables: TableNames, inputs: readonly AppendInput[]): Promise<boolean[]> {
  const records = inputs.flatMap((input) => (input.unrecognized ? [input.unrecognized] : []));
  const stored = await insertUnrecognizedCallbacks(client, tables, records);
  let next = 0;
  return inputs.map((input) => (input.unrecognized ? (stored[next++] ?? false) : false));
}

/**
 * Writes a batch of appends in four statements rather than a few per append, with the rows and
 * results they would have written one after another in the order given: the events in one insert
 * (the sequence counts in that order, and a later copy of an id is a duplicate), their deliveries
 * in that order, the friend table's registers by last-writer-wins, the unrecognized callbacks.
 * One failing statement fails the whole batch; the caller decides what to retry.
 */
export async function appendAllAtOnce(client: ClientBase, tables: TableNames, inputs: readonly AppendInput[]): Promise<AppendResult[]> {
  const stored = await insertEventRows(
    client,
    tables,
    inputs.flatMap((input) => input.events),
  );
  const storedEvents = storedEventsPerAppend(inputs, stored);
  await insertQueuedDeliveries(
    client,
    tables,
    inputs.flatMap((input, index) => queuedDeliveriesOf(storedEvents[index] ?? [], input.sinks)),
  );
  await applyRelationChangesInDatabase(client, tables, storedEvents.flat().flatMap(relationChangesOf));
  const unrecognizedInserted = await insertUnrecognizedOfAppends(client, tables, inputs);
  return inputs.map((input, index) => {
    const inserted = storedEvents[index]?.length ?? 0;
    return { inserted, duplicates: input.events.length - inserted, unrecognizedInserted: unrecognizedInserted[index] ?? false };
  });
}
