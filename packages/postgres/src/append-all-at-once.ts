import type { FriendEvent } from "@friendhook/core";
import { type AppendInput, type AppendResult, type FriendhookError, relationChangesOf, signatureReusedError } from "@friendhook/core";
import type { ClientBase } from "pg";
import { bindCallbacks } from "./callback-bindings";
import { type CallbackPlace, insertCallbacks } from "./callbacks";
import { insertQueuedDeliveries, queuedDeliveriesOf } from "./deliveries";
import { insertEventRows } from "./event-rows";
import { applyRelationChangesInDatabase } from "./friend-table";
import type { TableNames } from "./table-names";

/** Splits per-position flags of the batch's events into one list per append, by their event counts. */
function storedEventsPerAppend(inputs: readonly AppendInput[], stored: readonly boolean[]): FriendEvent[][] {
  let start = 0;
  return inputs.map((input) => {
    const flags = stored.slice(start, start + input.events.length);
    start += input.events.length;
    return input.events.filter((_, position) => flags[position]);
  });
}

/** Where each append's callback is stored; undefined for an append without one. */
async function insertCallbacksOfAppends(client: ClientBase, tables: TableNames, inputs: readonly AppendInput[]): Promise<Array<CallbackPlace | undefined>> {
  const places = await insertCallbacks(
    client,
    tables,
    inputs.flatMap((input) => (input.callback ? [input.callback] : [])),
  );
  let next = 0;
  return inputs.map((input) => (input.callback ? places[next++] : undefined));
}

/**
 * Writes a batch of appends in a few statements rather than a few per append, with the rows and
 * results they would have written one after another in the order given: the signature bindings
 * first (an append whose binding does not fit is refused, and nothing of it is written), then the
 * callbacks, the events in one insert (the sequence counts in that order, a later copy of an id is a
 * duplicate, each links to its append's callback), their deliveries in that order, and the friend
 * table's registers by last-writer-wins. One failing statement fails the whole batch; the caller
 * decides what to retry. `now` (epoch milliseconds) tells which bindings have expired.
 */
export async function appendAllAtOnce(
  client: ClientBase,
  tables: TableNames,
  inputs: readonly AppendInput[],
  now: number,
): Promise<Array<AppendResult | FriendhookError>> {
  const bound = await bindCallbacks(
    client,
    tables,
    inputs.map((input) => input.binding),
    now,
  );
  const accepted = inputs.filter((_, index) => bound[index]);
  const callbacks = await insertCallbacksOfAppends(client, tables, accepted);
  const stored = await insertEventRows(
    client,
    tables,
    accepted.flatMap((input) => input.events),
    { callbackSequences: accepted.flatMap((input, index) => input.events.map(() => callbacks[index]?.sequence ?? null)) },
  );
  const storedEvents = storedEventsPerAppend(accepted, stored);
  await insertQueuedDeliveries(
    client,
    tables,
    accepted.flatMap((input, index) => queuedDeliveriesOf(storedEvents[index] ?? [], input.sinks)),
  );
  await applyRelationChangesInDatabase(client, tables, storedEvents.flat().flatMap(relationChangesOf));
  const results = accepted.map((input, index): AppendResult => {
    const inserted = storedEvents[index]?.length ?? 0;
    return { inserted, duplicates: input.events.length - inserted, callbackInserted: callbacks[index]?.inserted ?? false };
  });
  let next = 0;
  return inputs.map((_, index) => (bound[index] ? (results[next++] as AppendResult) : signatureReusedError()));
}
