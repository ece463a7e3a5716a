import type { FriendEvent } from "../friend-event";
import { FriendhookError } from "../friendhook-error";
import { createFriendTable } from "../projection/friend-table";
import type { CallbackBinding } from "../provider-adapter";
import { beginBackfillRange, checkBackfillInput, nextBackfillSequence, resolveBackfillLimit } from "./backfill-range";
import { activityPruneIntervalMs, activitySecond, firstActivitySecond, oldestActivitySecond } from "./activity";
import { isBindingInForce, signatureReusedError } from "./callback-bindings";
import { deliveryOrderKey } from "./delivery-order-key";
import type {
  Backfill,
  DeadLetter,
  Delivery,
  DeliveryCounts,
  FriendEventStore,
  PruneInput,
  PruneResult,
  RecordedDecision,
  SecondCount,
  SinkDeliveryStatistics,
  StoredCallback,
} from "./friend-event-store";
import { resolvePageLimit } from "./page-limit";
import { parseSequenceCursor } from "./sequence-cursor";
import { checkStorableText } from "./storable-text";

interface DeliveryRecord {
  readonly sequence: number;
  /** The event's sequence (`Delivery.sequence`); `sequence` numbers the delivery itself. */
  readonly eventSequence: number;
  readonly sink: string;
  readonly orderKey: string;
  readonly event: FriendEvent;
  state: "pending" | "dead";
  attempts: number;
  availableAt: number;
  leasedUntil: number;
  lastError: string;
  deadLetteredAt: number;
}

function page<Item>(items: readonly Item[], after: string | undefined, limit: number | undefined, sequenceOf: (item: Item) => number) {
  const start = parseSequenceCursor(after);
  const selected = items.filter((item) => sequenceOf(item) > start).slice(0, resolvePageLimit(limit));
  const last = selected.at(-1);
  return { selected, next: last === undefined ? undefined : String(sequenceOf(last)) };
}

interface StoredEvent {
  readonly sequence: number;
  readonly event: FriendEvent;
}

/** Where a user's events are listed: JSON keeps the parts apart whatever characters the ids contain. */
function userKey(provider: string, appId: string, userId: string): string {
  return JSON.stringify([provider, appId, userId]);
}

/** Adds one to the count of `second`; counts are kept in ascending seconds (the clock of one process). */
function countSecond(counts: Map<number, number>, second: number, amount: number): void {
  counts.set(second, (counts.get(second) ?? 0) + amount);
}

function secondsSince(counts: ReadonlyMap<number, number>, first: number): SecondCount[] {
  return [...counts.entries()].filter(([second]) => second >= first).sort(([left], [right]) => left - right).map(([second, count]) => ({ second, count }));
}

function pruneSeconds(counts: Map<number, number>, oldest: number): void {
  for (const second of counts.keys()) if (second < oldest) counts.delete(second);
}

function toDelivery(record: DeliveryRecord): Delivery {
  return {
    deliveryId: String(record.sequence),
    sink: record.sink,
    event: record.event,
    sequence: record.eventSequence,
    attempts: record.attempts,
  };
}

function toDeadLetter(record: DeliveryRecord): DeadLetter {
  return {
    deliveryId: String(record.sequence),
    sink: record.sink,
    event: record.event,
    attempts: record.attempts,
    lastError: record.lastError,
    deadLetteredAt: new Date(record.deadLetteredAt).toISOString(),
  };
}

/**
 * A `FriendEventStore` in memory: for tests and for trying friendhook out. It keeps every promise of
 * the contract except durability: a restart loses everything.
 */
export function createMemoryStore(): FriendEventStore {
  const events: StoredEvent[] = [];
  /** Event id → the id of the callback that stored it (undefined when none was kept). */
  const callbackIdOfEvent = new Map<string, string | undefined>();
  const callbacks: Array<{ sequence: number; callback: StoredCallback }> = [];
  const callbacksById = new Map<string, StoredCallback>();
  const bindings = new Map<string, CallbackBinding>();
  // Expired bindings are swept when the map has doubled since the last sweep: amortized constant time.
  let bindingsAfterSweep = 0;
  // Completed deliveries are removed; the map is kept in stored event order (appends add at the end,
  // a backfill sorts it again).
  const deliveries = new Map<string, DeliveryRecord>();
  const friendTable = createFriendTable();
  const decisions: Array<{ sequence: number; decision: RecordedDecision }> = [];
  const decisionIds = new Set<string>();
  /** User key → the stored events whose actor or target the user is, in stored order. */
  const eventsOfUser = new Map<string, StoredEvent[]>();
  const storedPerSecond = new Map<number, number>();
  const deliveredPerSecond = new Map<string, Map<number, number>>();
  let activityPrunedAt = 0;
  let nextSequence = 1;
  let closed = false;
  /** Backfills by sink and name, in the order they began. */
  const backfills = new Map<string, { -readonly [Key in keyof Backfill]: Backfill[Key] }>();
  const unfinishedBackfillOf = (sink: string) => [...backfills.values()].find((backfill) => backfill.sink === sink && backfill.nextSequence !== undefined);

  const open = () => {
    if (closed) throw new FriendhookError("store_unavailable", "The memory store is closed.");
  };
  /** Binds the key to the fingerprint unless a binding in force holds it; throws when that one differs. */
  const bind = (binding: CallbackBinding, now: number) => {
    const stored = bindings.get(binding.key);
    if (stored && isBindingInForce(stored, now)) {
      if (stored.fingerprint !== binding.fingerprint) throw signatureReusedError();
      return;
    }
    bindings.set(binding.key, binding);
    if (bindings.size < 2 * bindingsAfterSweep + 1024) return;
    for (const [key, candidate] of bindings) if (!isBindingInForce(candidate, now)) bindings.delete(key);
    bindingsAfterSweep = bindings.size;
  };
  /** The `limit` items with the smallest `age` that `removable` picks, removed from `items` in place; returns them. */
  const removeOldest = <Item>(items: Item[], removable: (item: Item) => boolean, age: (item: Item) => number, limit: number): Item[] => {
    const removed = new Set(
      items
        .filter(removable)
        .sort((left, right) => age(left) - age(right))
        .slice(0, limit),
    );
    items.splice(0, items.length, ...items.filter((item) => !removed.has(item)));
    return [...removed];
  };
  const pruneMemory = (input: PruneInput): PruneResult => {
    const expired = [...deliveries.values()]
      .filter((record) => record.state === "dead" && record.deadLetteredAt < input.deadLettersBefore)
      .sort((left, right) => left.deadLetteredAt - right.deadLetteredAt)
      .slice(0, input.batchSize);
    for (const record of expired) deliveries.delete(String(record.sequence));
    const deadLetters = expired.length;
    const needed = new Set([...deliveries.values()].map((record) => record.eventSequence));
    const removedEvents = removeOldest(
      events,
      (item) => Date.parse(item.event.receivedAt) < input.eventsReceivedBefore && !needed.has(item.sequence),
      (item) => Date.parse(item.event.receivedAt),
      input.batchSize,
    );
    for (const item of removedEvents) callbackIdOfEvent.delete(item.event.id);
    const linked = new Set(callbackIdOfEvent.values());
    const removedCallbacks = removeOldest(
      callbacks,
      ({ callback }) =>
        Date.parse(callback.receivedAt) < input.callbacksReceivedBefore &&
        !linked.has(callback.id),
      ({ callback }) => Date.parse(callback.receivedAt),
      input.batchSize,
    );
    for (const { callback } of removedCallbacks) callbacksById.delete(callback.id);
    const tombstones = friendTable.removeTombstones(input.tombstonesBefore, input.batchSize);
    unlistUnderUsers(removedEvents);
    const decisionsBefore = input.decisionsBefore;
    const removedDecisions =
      decisionsBefore === undefined
        ? []
        : removeOldest(
            decisions,
            ({ decision }) => Date.parse(decision.decidedAt) < decisionsBefore,
            ({ decision }) => Date.parse(decision.decidedAt),
            input.batchSize,
          );
    for (const { decision } of removedDecisions) decisionIds.delete(decision.id);
    return { events: removedEvents.length, deadLetters, callbacks: removedCallbacks.length, tombstones, decisions: removedDecisions.length };
  };
  const usersOf = (event: FriendEvent) => [...new Set([event.actor, event.target])].map((userId) => userKey(event.provider, event.appId, userId));
  const listUnderUser = (item: StoredEvent) => {
    for (const key of usersOf(item.event)) {
      const items = eventsOfUser.get(key) ?? [];
      items.push(item);
      eventsOfUser.set(key, items);
    }
  };
  const unlistUnderUsers = (removed: readonly StoredEvent[]) => {
    const gone = new Set(removed);
    for (const key of new Set(removed.flatMap((item) => usersOf(item.event)))) {
      const items = (eventsOfUser.get(key) ?? []).filter((item) => !gone.has(item));
      if (items.length === 0) eventsOfUser.delete(key);
      else eventsOfUser.set(key, items);
    }
  };
  const pruneActivity = (now: number) => {
    if (now - activityPrunedAt < activityPruneIntervalMs) return;
    activityPrunedAt = now;
    pruneSeconds(storedPerSecond, oldestActivitySecond(now));
    for (const counts of deliveredPerSecond.values()) pruneSeconds(counts, oldestActivitySecond(now));
  };
  const enqueueDelivery = (sink: string, item: StoredEvent) => {
    const deliverySequence = nextSequence++;
    deliveries.set(String(deliverySequence), {
      sequence: deliverySequence,
      eventSequence: item.sequence,
      sink,
      orderKey: deliveryOrderKey(item.event),
      event: item.event,
      state: "pending",
      attempts: 0,
      availableAt: 0,
      leasedUntil: 0,
      lastError: "",
      deadLetteredAt: 0,
    });
  };
  /** The index of the first stored event whose sequence is `sequence` or more (sequences ascend). */
  const firstEventFrom = (items: readonly StoredEvent[], sequence: number) => {
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((items[middle]?.sequence ?? 0) >= sequence) high = middle;
      else low = middle + 1;
    }
    return low;
  };
  const pendingRecord = (deliveryId: string) => {
    const record = deliveries.get(deliveryId);
    return record?.state === "pending" ? record : undefined;
  };

  return {
    async append(input) {
      open();
      const { events: incoming, callback, binding, sinks } = input;
      const unstorable = checkStorableText(input);
      if (unstorable) throw unstorable;
      if (binding) bind(binding, Date.now());
      let callbackInserted = false;
      if (callback && !callbacksById.has(callback.id)) {
        callbacksById.set(callback.id, callback);
        callbacks.push({ sequence: nextSequence++, callback });
        callbackInserted = true;
      }
      let inserted = 0;
      for (const event of incoming) {
        if (callbackIdOfEvent.has(event.id)) continue;
        callbackIdOfEvent.set(event.id, callback?.id);
        inserted += 1;
        const sequence = nextSequence++;
        const item = { sequence, event };
        listUnderUser(item);
        events.push(item);
        friendTable.apply(event);
        for (const sink of sinks) enqueueDelivery(sink, item);
      }
      const now = Date.now();
      if (inserted > 0) countSecond(storedPerSecond, activitySecond(now), inserted);
      pruneActivity(now);
      return { inserted, duplicates: incoming.length - inserted, callbackInserted };
    },

    async listEvents(options = {}) {
      open();
      const { selected, next } = page(events, options.after, options.limit, (item) => item.sequence);
      return { events: selected.map((item) => item.event), next };
    },

    async claimDeliveries({ sink, limit, leaseMs, now }) {
      open();
      if (unfinishedBackfillOf(sink)) return [];
      const claimed: DeliveryRecord[] = [];
      const heldBack = new Set<string>();
      for (const record of deliveries.values()) {
        if (claimed.length >= limit) break;
        if (record.sink !== sink || record.state !== "pending") continue;
        const available = record.availableAt <= now && record.leasedUntil <= now;
        if (!available) heldBack.add(record.orderKey);
        else if (!heldBack.has(record.orderKey)) claimed.push(record);
      }
      for (const record of claimed) record.leasedUntil = now + leaseMs;
      return claimed.map(toDelivery);
    },

    async completeDeliveries({ deliveryIds }) {
      open();
      const second = activitySecond(Date.now());
      for (const deliveryId of deliveryIds) {
        const record = pendingRecord(deliveryId);
        if (!record) continue;
        deliveries.delete(deliveryId);
        const counts = deliveredPerSecond.get(record.sink) ?? new Map<number, number>();
        countSecond(counts, second, 1);
        deliveredPerSecond.set(record.sink, counts);
      }
    },

    async failDeliveries({ failures, now }) {
      open();
      for (const failure of failures) {
        const record = pendingRecord(failure.deliveryId);
        if (!record) continue;
        record.attempts += 1;
        record.lastError = failure.error;
        record.leasedUntil = 0;
        if ("deadLetter" in failure) {
          record.state = "dead";
          record.deadLetteredAt = now;
        } else {
          record.availableAt = failure.retryAt;
        }
      }
    },

    async listDeadLetters(options = {}) {
      open();
      // Paged by delivery number, the cursor: a backfilled delivery's number is larger than its place.
      const dead = [...deliveries.values()]
        .filter((record) => record.state === "dead" && (options.sink === undefined || record.sink === options.sink))
        .sort((left, right) => left.sequence - right.sequence);
      const { selected, next } = page(dead, options.after, options.limit, (record) => record.sequence);
      return { deadLetters: selected.map(toDeadLetter), next };
    },

    async beginBackfill(input) {
      open();
      checkBackfillInput(input);
      const key = JSON.stringify([input.sink, input.name]);
      const known = backfills.get(key);
      if (known) return { ...known };
      const range = beginBackfillRange(input, { first: events[0]?.sequence, last: events.at(-1)?.sequence });
      const backfill = { sink: input.sink, name: input.name, ...range, enqueued: 0 };
      backfills.set(key, backfill);
      return { ...backfill };
    },

    async continueBackfill({ sink, limit }) {
      open();
      const backfill = unfinishedBackfillOf(sink);
      if (!backfill || backfill.nextSequence === undefined) return { enqueued: 0, finished: true };
      const batchLimit = resolveBackfillLimit(limit);
      const start = firstEventFrom(events, backfill.nextSequence);
      const batch = events.slice(start, start + batchLimit).filter((item) => item.sequence <= backfill.toSequence);
      const delivered = new Set([...deliveries.values()].filter((record) => record.sink === sink).map((record) => record.eventSequence));
      let enqueued = 0;
      for (const item of batch) {
        if (delivered.has(item.sequence)) continue;
        enqueueDelivery(sink, item);
        enqueued += 1;
      }
      // The map stays in the events' order, which claims follow: backfilled deliveries take their events' places.
      if (enqueued > 0) {
        const ordered = [...deliveries.entries()].sort(([, left], [, right]) => left.eventSequence - right.eventSequence || left.sequence - right.sequence);
        deliveries.clear();
        for (const [deliveryId, record] of ordered) deliveries.set(deliveryId, record);
      }
      backfill.enqueued += enqueued;
      backfill.nextSequence = nextBackfillSequence(backfill, { looked: batch.length, limit: batchLimit, lastLookedAt: batch.at(-1)?.sequence });
      return { enqueued, finished: unfinishedBackfillOf(sink) === undefined };
    },

    async replayDeadLetters({ sink, deliveryIds, now }) {
      open();
      const wanted = deliveryIds === undefined ? undefined : new Set(deliveryIds);
      let replayed = 0;
      for (const [deliveryId, record] of deliveries) {
        if (record.state !== "dead") continue;
        if (sink !== undefined && record.sink !== sink) continue;
        if (wanted && !wanted.has(deliveryId)) continue;
        Object.assign(record, { state: "pending", attempts: 0, availableAt: now, leasedUntil: 0, deadLetteredAt: 0 });
        replayed += 1;
      }
      return replayed;
    },

    async countDeliveries() {
      open();
      const counts = new Map<string, { pending: number; deadLettered: number }>();
      for (const record of deliveries.values()) {
        const count = counts.get(record.sink) ?? { pending: 0, deadLettered: 0 };
        if (record.state === "pending") count.pending += 1;
        else count.deadLettered += 1;
        counts.set(record.sink, count);
      }
      return [...counts.entries()]
        .sort(([left], [right]) => (left < right ? -1 : 1))
        .map(([sink, count]): DeliveryCounts => ({ sink, ...count }));
    },

    async listUnrecognized(options = {}) {
      open();
      const unrecognized = callbacks.filter((item) => item.callback.unrecognizedReason !== undefined);
      const { selected, next } = page(unrecognized, options.after, options.limit, (item) => item.sequence);
      return { callbacks: selected.map((item) => item.callback), next };
    },

    async readCallback(input) {
      open();
      const callbackId = "callbackId" in input ? input.callbackId : callbackIdOfEvent.get(input.eventId);
      return callbackId === undefined ? undefined : callbacksById.get(callbackId);
    },

    async friendsOf(input) {
      open();
      return friendTable.friendsOf(input);
    },

    async recordDecisions(incoming) {
      open();
      for (const decision of incoming) {
        if (decisionIds.has(decision.id)) continue;
        decisionIds.add(decision.id);
        decisions.push({ sequence: nextSequence++, decision });
      }
    },

    async listDecisions(options = {}) {
      open();
      const { provider, appId, user } = options;
      const matching = decisions.filter(
        ({ decision }) =>
          (provider === undefined || decision.provider === provider) &&
          (appId === undefined || decision.appId === appId) &&
          (user === undefined || decision.actor === user || decision.target === user),
      );
      const { selected, next } = page(matching, options.after, options.limit, (item) => item.sequence);
      return { decisions: selected.map((item) => item.decision), next };
    },

    async prune(input) {
      open();
      return pruneMemory(input);
    },

    async measure() {
      open();
      return { events: events.length };
    },

    async listUserEvents({ provider, appId, userId, after, limit }) {
      open();
      const items = eventsOfUser.get(userKey(provider, appId, userId)) ?? [];
      const start = parseSequenceCursor(after);
      // Sequences ascend: a binary search finds the first event after the cursor.
      let low = 0;
      let high = items.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((items[middle]?.sequence ?? 0) > start) high = middle;
        else low = middle + 1;
      }
      const selected = items.slice(low, low + resolvePageLimit(limit));
      const last = selected.at(-1);
      return { events: selected.map((item) => item.event), next: last === undefined ? undefined : String(last.sequence) };
    },

    async listLatestEvents(input = {}) {
      open();
      const selected = events.slice(-resolvePageLimit(input.limit));
      const last = selected.at(-1);
      return { events: selected.map((item) => item.event), next: last === undefined ? undefined : String(last.sequence) };
    },

    async deliveryStatistics({ sinks }) {
      open();
      const statistics = new Map<string, { -readonly [Key in keyof SinkDeliveryStatistics]: SinkDeliveryStatistics[Key] }>();
      for (const sinkName of sinks) {
        statistics.set(sinkName, { sink: sinkName, pending: 0, retrying: 0, deadLettered: 0, failedAttempts: 0, oldestPendingReceivedAt: undefined });
      }
      for (const record of deliveries.values()) {
        const entry = statistics.get(record.sink);
        if (!entry) continue;
        entry.failedAttempts += record.attempts;
        if (record.state === "dead") {
          entry.deadLettered += 1;
          continue;
        }
        entry.pending += 1;
        if (record.attempts > 0) entry.retrying += 1;
        entry.oldestPendingReceivedAt ??= record.event.receivedAt;
      }
      return [...statistics.values()];
    },

    async activity({ since }) {
      open();
      const first = firstActivitySecond(since, Date.now());
      const delivered = [...deliveredPerSecond.entries()]
        .sort(([left], [right]) => (left < right ? -1 : 1))
        .map(([sinkName, counts]) => ({ sink: sinkName, seconds: secondsSince(counts, first) }))
        .filter((entry) => entry.seconds.length > 0);
      return { stored: secondsSince(storedPerSecond, first), delivered };
    },

    async close() {
      closed = true;
    },
  };
}
