import {
  clockSkewMs,
  createMemoryStore,
  deriveEventId,
  type Delivery,
  type FriendEvent,
  type FriendEventSink,
  type FriendEventStore,
  type FriendList,
  type FriendsOfInput,
} from "@friendhook/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A sink that keeps a friend table and answers for it. */
export interface FriendTableSink extends FriendEventSink {
  friendsOf(input: FriendsOfInput): Promise<FriendList>;
}

export interface FriendTableOrderingOptions {
  /** How many generated histories each property runs; 100 when absent. */
  readonly runs?: number;
  /** How long one property may take, in milliseconds; 300,000 when absent. */
  readonly timeoutMs?: number;
}

export interface StoreFriendTableOrderingOptions<Store extends FriendEventStore> extends FriendTableOrderingOptions {
  /** Builds a store; one serves every history of a property (each history uses an app of its own). */
  readonly createStore: () => Store | Promise<Store>;
}

export interface SinkFriendTableOrderingOptions<Sink extends FriendTableSink> extends FriendTableOrderingOptions {
  /** Builds a sink; one serves every history of a property (each history uses an app of its own). */
  readonly createSink: () => Sink | Promise<Sink>;
}

const provider = "testkit";
const users = ["ann", "bob", "cyd"] as const;
const pairs = users.flatMap((actor) => users.filter((target) => target !== actor).map((target) => [actor, target] as const));
const relationTypes = ["friend.added", "friend.removed", "friend.blocked", "friend.unblocked"] as const;
type RelationType = (typeof relationTypes)[number];
/** Where a change's time comes from; `forged` is a provider time in seconds dated 9999 (Tencent's `TimeStamp` is not signed). */
type TimeKind = "provider-seconds" | "provider-milliseconds" | "received" | "forged";
const start = Date.UTC(2024, 0, 1, 12);
const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59);

/** One change as it truly happened; `trueAt` grows with the index (the true order). */
interface PlannedChange {
  readonly type: RelationType;
  readonly actor: string;
  readonly target: string;
  readonly mutual: boolean;
  readonly trueAt: number;
  readonly time: TimeKind;
}

/** One callback's copy of a change reaching the receiver: the first, a retry or a duplicate. */
interface Arrival {
  readonly change: number;
  /** How long after the change (a first copy) or after the one before it (a copy) it was received. */
  readonly delayMs: number;
  /** Which of two receiver instances received it (their clocks differ). */
  readonly instance: 0 | 1;
}

interface History {
  readonly changes: readonly PlannedChange[];
  readonly arrivals: readonly Arrival[];
  /** The provider's clock minus the true time; the first instance's clock is true, the second's is off by `instanceOffsetMs`. */
  readonly providerOffsetMs: number;
  readonly instanceOffsetMs: number;
  /** Consecutive arrivals share a callback (one append); appends are submitted in waves, concurrently. */
  readonly callbackSizes: readonly number[];
  readonly waveSizes: readonly number[];
}

interface HistoryShape {
  /** The gaps between true times to draw from. */
  readonly gaps: fc.Arbitrary<number>;
  readonly times: fc.Arbitrary<TimeKind>;
  /** Whether first copies arrive in true order (else in any order). */
  readonly inTrueOrder: boolean;
}

const anyGap = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: 999 }),
  fc.integer({ min: 1_000, max: 6_000 }),
  fc.integer({ min: 6_000, max: 30_000 }),
);
const anyTime = fc.oneof(
  { weight: 3, arbitrary: fc.constant<TimeKind>("provider-seconds") },
  { weight: 3, arbitrary: fc.constant<TimeKind>("provider-milliseconds") },
  { weight: 3, arbitrary: fc.constant<TimeKind>("received") },
  { weight: 1, arbitrary: fc.constant<TimeKind>("forged") },
);

/**
 * Histories per pair among three users: adds, deletes, blocks, unblocks; provider times in seconds
 * and in milliseconds, missing times (the receive time) and forged ones; the provider's clock off
 * by up to 2 s and one receiver instance's by up to 1 s (together within `clockSkewMs`); callbacks
 * received up to 1 s late, or much later when they arrive out of order; retries and duplicates.
 */
function histories(shape: HistoryShape): fc.Arbitrary<History> {
  const change = fc.record({
    type: fc.constantFrom(...relationTypes),
    // Mostly one pair, either way round, so that changes of one register overlap often.
    pair: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(pairs[0] as (typeof pairs)[number], ["bob", "ann"] as const) }, fc.constantFrom(...pairs)),
    mutual: fc.boolean(),
    gapMs: shape.gaps,
    time: shape.times,
  });
  return fc.array(change, { minLength: 1, maxLength: 16 }).chain((specs) => {
    let trueAt = start;
    const changes: PlannedChange[] = specs.map((spec) => {
      trueAt += spec.gapMs;
      return { type: spec.type, actor: spec.pair[0], target: spec.pair[1], mutual: spec.mutual, trueAt, time: spec.time };
    });
    const indexes = changes.map((_, index) => index);
    const order = shape.inTrueOrder ? fc.constant(indexes) : fc.shuffledSubarray(indexes, { minLength: indexes.length });
    const copies = fc.array(fc.record({ change: fc.nat({ max: indexes.length - 1 }), position: fc.nat() }), { maxLength: 6 });
    return fc
      .record({
        order,
        copies,
        delays: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 24, maxLength: 24 }),
        instances: fc.array(fc.constantFrom<0 | 1>(0, 1), { minLength: 24, maxLength: 24 }),
        providerOffsetMs: fc.integer({ min: -2_000, max: 2_000 }),
        instanceOffsetMs: fc.integer({ min: -1_000, max: 1_000 }),
        callbackSizes: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 24 }),
        waveSizes: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 24 }),
      })
      .map((drawn): History => {
        const firsts = drawn.order.map((index) => ({ change: index }));
        const arranged: Array<{ change: number }> = [...firsts];
        // A copy comes after the first copy of its change: a retry or a duplicate.
        for (const copy of drawn.copies) {
          const first = arranged.findIndex((arrival) => arrival.change === copy.change);
          const position = first + 1 + (copy.position % (arranged.length - first));
          arranged.splice(position, 0, { change: copy.change });
        }
        const arrivals = arranged.map((arrival, index) => ({
          change: arrival.change,
          delayMs: drawn.delays[index] ?? 0,
          instance: drawn.instances[index] ?? 0,
        }));
        return { changes, arrivals, ...drawn };
      });
  });
}

/**
 * The events the receiver builds for each arrival, in arrival order. The receive clock only moves
 * forward: a first copy is received `delayMs` after it happened, or when the callbacks before it
 * were if that is later; a copy is received with the callbacks around it. A copy has its change's
 * id; a copy of a change without a provider time carries its own receive time.
 */
function arrivalEvents(history: History, appId: string): FriendEvent[] {
  const seen = new Set<number>();
  let clock = start;
  return history.arrivals.map((arrival) => {
    const change = history.changes[arrival.change] as PlannedChange;
    if (!seen.has(arrival.change)) clock = Math.max(clock, change.trueAt + arrival.delayMs);
    seen.add(arrival.change);
    const receivedAt = clock + (arrival.instance === 1 ? history.instanceOffsetMs : 0);
    const providerAt = change.trueAt + history.providerOffsetMs;
    const occurredAt = {
      "provider-seconds": Math.floor(providerAt / 1000) * 1000,
      "provider-milliseconds": providerAt,
      received: receivedAt,
      forged: year9999,
    }[change.time];
    return {
      id: deriveEventId({ provider, appId, type: change.type, parts: ["ordering", arrival.change] }),
      type: change.type,
      provider,
      appId,
      actor: change.actor,
      target: change.target,
      mutual: change.mutual,
      occurredAt: new Date(occurredAt).toISOString(),
      occurredAtSource: change.time === "forged" ? "provider-seconds" : change.time,
      receivedAt: new Date(receivedAt).toISOString(),
      source: { command: `testkit:${change.type}` },
      details: {},
    } as FriendEvent;
  });
}

/** Consecutive items in groups of the given sizes (the rest one by one). */
function grouped<Item>(items: readonly Item[], sizes: readonly number[]): Item[][] {
  const groups: Item[][] = [];
  let index = 0;
  for (const size of sizes) {
    if (index >= items.length) break;
    groups.push(items.slice(index, index + size));
    index += size;
  }
  for (; index < items.length; index += 1) groups.push([items[index] as Item]);
  return groups;
}

// The reference: the rule as the documentation states it, written apart from @friendhook/core's.

type Registers = Map<string, boolean>;
const registerKey = (owner: string, relation: string, other: string) => JSON.stringify([owner, relation, other]);

function registerWrites(event: Pick<FriendEvent, "type" | "actor" | "target" | "mutual">): Array<{ key: string; value: boolean }> {
  const relation = event.type === "friend.added" || event.type === "friend.removed" ? "friend" : "blocked";
  const value = event.type === "friend.added" || event.type === "friend.blocked";
  const writes = [{ key: registerKey(event.actor, relation, event.target), value }];
  if (event.mutual && event.actor !== event.target) writes.push({ key: registerKey(event.target, relation, event.actor), value });
  return writes;
}

/**
 * The table that events arriving in this order leave (each id once, its first copy): per register,
 * the change that arrived last among those whose window no other change's window lies wholly after.
 * A window is the time (bounded by the receive time plus the skew) less the skew, to the time plus
 * its precision (a second for `provider-seconds`) plus the skew.
 */
function expectedRegisters(arrived: readonly FriendEvent[]): Registers {
  const changes = new Map<string, Array<{ value: boolean; earliest: number; latest: number }>>();
  for (const event of arrived) {
    const time = Math.min(Date.parse(event.occurredAt), Date.parse(event.receivedAt) + clockSkewMs);
    const precision = event.occurredAtSource === "provider-seconds" ? 1000 : 1;
    for (const write of registerWrites(event)) {
      const list = changes.get(write.key) ?? [];
      list.push({ value: write.value, earliest: time - clockSkewMs, latest: time + precision + clockSkewMs });
      changes.set(write.key, list);
    }
  }
  const registers: Registers = new Map();
  for (const [key, list] of changes) {
    const undominated = list.filter((change) => !list.some((other) => change.latest <= other.earliest));
    registers.set(key, (undominated.at(-1) as { value: boolean }).value);
  }
  return registers;
}

/** The table as it truly is after the history: each register holds its last change in true order. */
function trueRegisters(history: History): Registers {
  const registers: Registers = new Map();
  for (const change of history.changes) for (const write of registerWrites(change)) registers.set(write.key, write.value);
  return registers;
}

function friendLists(registers: Registers): Record<string, FriendList> {
  const lists: Record<string, FriendList> = {};
  for (const user of users) {
    const held = (relation: string) => users.filter((other) => registers.get(registerKey(user, relation, other)) === true);
    lists[user] = { friends: held("friend"), blocked: held("blocked") };
  }
  return lists;
}

async function tableOf(subject: { friendsOf(input: FriendsOfInput): Promise<FriendList> }, appId: string): Promise<Record<string, FriendList>> {
  const lists: Record<string, FriendList> = {};
  for (const user of users) lists[user] = await subject.friendsOf({ provider, appId, userId: user });
  return lists;
}

const anyOrder: HistoryShape = { gaps: anyGap, times: anyTime, inTrueOrder: false };
const trueOrder: HistoryShape = { gaps: anyGap, times: anyTime, inTrueOrder: true };
/** Provider times further apart than two windows: their order is clear whatever the clocks. */
const farApart: HistoryShape = {
  gaps: fc.integer({ min: 4 * clockSkewMs + 2_000, max: 60_000 }),
  times: fc.constantFrom<TimeKind>("provider-seconds", "provider-milliseconds"),
  inTrueOrder: false,
};

function propertyParameters(options: FriendTableOrderingOptions) {
  // FRIENDHOOK_PROPERTY_SEED replays a failure: fast-check prints the seed and path it failed with.
  const seed = process.env.FRIENDHOOK_PROPERTY_SEED === undefined ? undefined : Number(process.env.FRIENDHOOK_PROPERTY_SEED);
  return { numRuns: options.runs ?? 100, ...(seed === undefined ? {} : { seed }) };
}

/**
 * Appends the history's callbacks, waves of them at once; returns the events stored for `appId` in
 * stored order, listed from `after` (where the previous history's listing ended), and where this one ended.
 */
async function appendHistory(
  store: FriendEventStore,
  history: History,
  appId: string,
  after: string | undefined,
): Promise<{ stored: FriendEvent[]; next: string | undefined }> {
  const callbacks = grouped(arrivalEvents(history, appId), history.callbackSizes);
  for (const wave of grouped(callbacks, history.waveSizes)) {
    await Promise.all(wave.map((events) => store.append({ events, sinks: [] })));
  }
  const stored: FriendEvent[] = [];
  let next = after;
  for (;;) {
    const page = await store.listEvents({ after: next, limit: 500 });
    if (page.events.length === 0) return { stored, next };
    stored.push(...page.events.filter((event) => event.appId === appId));
    next = page.next;
  }
}

/** Events that regression cases deliver, at instants relative to `start`. */
function regressionEvent(appId: string, name: string, type: RelationType, actor: string, target: string, timing: { occurredAt: number; source: FriendEvent["occurredAtSource"]; receivedAt: number }): FriendEvent {
  return {
    id: deriveEventId({ provider, appId, type, parts: ["regression", name] }),
    type,
    provider,
    appId,
    actor,
    target,
    mutual: false,
    occurredAt: new Date(timing.occurredAt).toISOString(),
    occurredAtSource: timing.source,
    receivedAt: new Date(timing.receivedAt).toISOString(),
    source: { command: `testkit:${type}` },
    details: {},
  } as FriendEvent;
}

/** Known cases, each as events in arrival order and the friend list of `ann` they must leave. */
function regressionCases(appId: string): Array<{ name: string; events: FriendEvent[]; ann: FriendList }> {
  const received = start + 700;
  return [
    {
      // Tencent: Sns.CallbackFriendAdd has no time, Sns.CallbackFriendDelete a TimeStamp in seconds.
      name: "an add without a time, then a delete timed in whole seconds a few ms later: not friends",
      events: [
        regressionEvent(appId, "tencent-add", "friend.added", "ann", "bob", { occurredAt: received, source: "received", receivedAt: received }),
        regressionEvent(appId, "tencent-delete", "friend.removed", "ann", "bob", { occurredAt: start, source: "provider-seconds", receivedAt: received + 5 }),
      ],
      ann: { friends: [], blocked: [] },
    },
    {
      name: "a block dated 9999, then a real unblock: unblocked",
      events: [
        regressionEvent(appId, "forged-block", "friend.blocked", "ann", "cyd", { occurredAt: year9999, source: "provider-seconds", receivedAt: received }),
        regressionEvent(appId, "real-unblock", "friend.unblocked", "ann", "cyd", { occurredAt: start + 2_000, source: "provider-seconds", receivedAt: received + 2_000 }),
      ],
      ann: { friends: [], blocked: [] },
    },
    {
      name: "a removal arriving before an addition clearly older than it: not friends",
      events: [
        regressionEvent(appId, "late-removal", "friend.removed", "ann", "bob", { occurredAt: start + 60_000, source: "provider-milliseconds", receivedAt: start + 60_100 }),
        regressionEvent(appId, "early-addition", "friend.added", "ann", "bob", { occurredAt: start, source: "provider-milliseconds", receivedAt: start + 60_200 }),
      ],
      ann: { friends: [], blocked: [] },
    },
  ];
}

/**
 * The friend table's ordering rule, checked on a store through its contract: generated histories
 * are appended as callbacks, and the table must be the one the rule gives for the events in the
 * order the store stored them (as `listEvents` lists them); when they arrive in their true order,
 * or their provider times are far apart, it must be the true final state.
 */
export function describeStoreFriendTableOrdering<Store extends FriendEventStore>(name: string, options: StoreFriendTableOrderingOptions<Store>): void {
  describe(`${name}: friend table ordering`, () => {
    let store: Store;
    let runs = 0;
    const nextAppId = () => `ordering#${(runs += 1)}`;
    // Where listing the store's events ended: each history lists only what came after.
    let listed: string | undefined;
    const append = async (history: History, appId: string) => {
      const { stored, next } = await appendHistory(store, history, appId, listed);
      listed = next;
      return stored;
    };
    const timeout = options.timeoutMs ?? 300_000;

    beforeAll(async () => {
      store = await options.createStore();
    });
    afterAll(() => store.close());

    for (const { name: caseName, index } of regressionCases("").map((entry, index) => ({ name: entry.name, index }))) {
      it(caseName, async () => {
        const appId = nextAppId();
        const regression = regressionCases(appId)[index] as ReturnType<typeof regressionCases>[number];
        for (const event of regression.events) await store.append({ events: [event], sinks: [] });
        expect(await store.friendsOf({ provider, appId, userId: "ann" })).toEqual(regression.ann);
      });
    }

    it("holds the table the rule gives for the stored order, whatever the arrival order, clocks, retries and duplicates", async () => {
      await fc.assert(
        fc.asyncProperty(histories(anyOrder), async (history) => {
          const appId = nextAppId();
          const stored = await append(history, appId);
          expect(new Set(stored.map((event) => event.id)).size).toBe(new Set(history.arrivals.map((arrival) => arrival.change)).size);
          expect(stored).toHaveLength(new Set(stored.map((event) => event.id)).size);
          expect(await tableOf(store, appId)).toEqual(friendLists(expectedRegisters(stored)));
        }),
        propertyParameters(options),
      );
    }, timeout);

    it("holds the true final state when callbacks arrive in the order the changes happened", async () => {
      await fc.assert(
        fc.asyncProperty(histories(trueOrder), async (history) => {
          const appId = nextAppId();
          await append(history, appId);
          expect(await tableOf(store, appId)).toEqual(friendLists(trueRegisters(history)));
        }),
        propertyParameters(options),
      );
    }, timeout);

    it("holds the true final state whatever the arrival order when provider times are far apart", async () => {
      await fc.assert(
        fc.asyncProperty(histories(farApart), async (history) => {
          const appId = nextAppId();
          await append(history, appId);
          expect(await tableOf(store, appId)).toEqual(friendLists(trueRegisters(history)));
        }),
        propertyParameters(options),
      );
    }, timeout);
  });
}

/** The history through a memory store: its deliveries, each event once, in arrival order with its sequence. */
async function deliveriesOf(history: History, appId: string): Promise<Delivery[]> {
  const store = createMemoryStore();
  for (const events of grouped(arrivalEvents(history, appId), history.callbackSizes)) await store.append({ events, sinks: ["ordering"] });
  const deliveries = await store.claimDeliveries({ sink: "ordering", limit: 10_000, leaseMs: 1_000, now: 0 });
  await store.close();
  return deliveries;
}

const deliveryPlan = fc.record({
  /** Redeliveries: positions of deliveries sent again. */
  again: fc.array(fc.nat(), { maxLength: 8 }),
  /** Sort keys for the delivery order, then the batch sizes. */
  keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 32, maxLength: 32 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 32 }),
});

/**
 * The friend table's ordering rule, checked on a sink that keeps one: it is given the deliveries of
 * generated histories with the store's sequences (`DeliveryContext`), in order as a receiver gives
 * them, and out of order with redeliveries as dead-letter replays and expired leases give them; and
 * without a context, when its own arrival order counts. Each time the table must be the one the
 * rule gives for the store's arrival order (or the sink's own, without a context).
 */
export function describeSinkFriendTableOrdering<Sink extends FriendTableSink>(name: string, options: SinkFriendTableOrderingOptions<Sink>): void {
  describe(`${name}: friend table ordering`, () => {
    let sink: Sink;
    let runs = 0;
    const nextAppId = () => `ordering#${(runs += 1)}`;
    const timeout = options.timeoutMs ?? 300_000;
    const deliver = (deliveries: readonly Delivery[]) =>
      sink.deliver(
        deliveries.map((delivery) => delivery.event),
        { sequences: deliveries.map((delivery) => delivery.sequence) },
      );

    beforeAll(async () => {
      sink = await options.createSink();
    });
    afterAll(async () => {
      await sink.close?.();
    });

    for (const { name: caseName, index } of regressionCases("").map((entry, index) => ({ name: entry.name, index }))) {
      it(caseName, async () => {
        const inOrder = nextAppId();
        const regression = regressionCases(inOrder)[index] as ReturnType<typeof regressionCases>[number];
        for (const [position, event] of regression.events.entries()) await sink.deliver([event], { sequences: [position + 1] });
        expect(await sink.friendsOf({ provider, appId: inOrder, userId: "ann" })).toEqual(regression.ann);
        // The same deliveries, the first replayed after the second (a dead letter): arrival order still rules.
        const replayed = nextAppId();
        const events = (regressionCases(replayed)[index] as ReturnType<typeof regressionCases>[number]).events;
        for (const position of [1, 0]) await sink.deliver([events[position] as FriendEvent], { sequences: [position + 1] });
        expect(await sink.friendsOf({ provider, appId: replayed, userId: "ann" })).toEqual(regression.ann);
      });
    }

    it("holds the table the rule gives for the store's arrival order when given the deliveries in order", async () => {
      await fc.assert(
        fc.asyncProperty(histories(anyOrder), async (history) => {
          const appId = nextAppId();
          const deliveries = await deliveriesOf(history, appId);
          for (const batch of grouped(deliveries, history.callbackSizes)) await deliver(batch);
          expect(await tableOf(sink, appId)).toEqual(friendLists(expectedRegisters(deliveries.map((delivery) => delivery.event))));
        }),
        propertyParameters(options),
      );
    }, timeout);

    it("holds the same table when deliveries come out of order, in any batches, some twice", async () => {
      await fc.assert(
        fc.asyncProperty(histories(anyOrder), deliveryPlan, async (history, plan) => {
          const appId = nextAppId();
          const deliveries = await deliveriesOf(history, appId);
          const sent = [...deliveries, ...plan.again.map((position) => deliveries[position % deliveries.length] as Delivery)];
          const shuffled = sent
            .map((delivery, index) => ({ delivery, key: plan.keys[index % plan.keys.length] ?? 0, index }))
            .sort((left, right) => left.key - right.key || left.index - right.index)
            .map((entry) => entry.delivery);
          for (const batch of grouped(shuffled, plan.batchSizes)) await deliver(batch);
          expect(await tableOf(sink, appId)).toEqual(friendLists(expectedRegisters(deliveries.map((delivery) => delivery.event))));
        }),
        propertyParameters(options),
      );
    }, timeout);

    it("follows its own arrival order when called without a context", async () => {
      await fc.assert(
        fc.asyncProperty(histories(anyOrder), async (history) => {
          const appId = nextAppId();
          const arrived = arrivalEvents(history, appId);
          for (const batch of grouped(arrived, history.callbackSizes)) await sink.deliver(batch);
          const firstCopies = new Map<string, FriendEvent>();
          for (const event of arrived) if (!firstCopies.has(event.id)) firstCopies.set(event.id, event);
          expect(await tableOf(sink, appId)).toEqual(friendLists(expectedRegisters([...firstCopies.values()])));
        }),
        propertyParameters(options),
      );
    }, timeout);

    it("holds the true final state when callbacks arrive in true order, however the deliveries are replayed", async () => {
      await fc.assert(
        fc.asyncProperty(histories(trueOrder), deliveryPlan, async (history, plan) => {
          const appId = nextAppId();
          const deliveries = await deliveriesOf(history, appId);
          const shuffled = deliveries
            .map((delivery, index) => ({ delivery, key: plan.keys[index % plan.keys.length] ?? 0, index }))
            .sort((left, right) => left.key - right.key || left.index - right.index)
            .map((entry) => entry.delivery);
          for (const batch of grouped(shuffled, plan.batchSizes)) await deliver(batch);
          expect(await tableOf(sink, appId)).toEqual(friendLists(trueRegisters(history)));
        }),
        propertyParameters(options),
      );
    }, timeout);
  });
}
