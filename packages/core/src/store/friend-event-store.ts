import type { FriendEvent } from "../friend-event";
import type { PendingFriendRequest } from "../friend-request-policy";
import type { CallbackBinding } from "../provider-adapter";

/**
 * A callback as the receiver keeps it: once per callback, however many events it made. Events link
 * to the callback they came from; a callback the adapter could not map is kept too, with the reason,
 * so that nothing a provider sent is lost while an adapter learns a new command.
 */
export interface StoredCallback {
  /** Deterministic (`cb_` and 32 hex digits over provider, appId, command and body, see `deriveCallbackId`): a retried callback is stored once. */
  readonly id: string;
  readonly provider: string;
  readonly appId: string;
  /** The provider's command or operation, as sent. */
  readonly command: string;
  /** ISO-8601 instant at which the receiver first read the callback. */
  readonly receivedAt: string;
  /** The body as the adapter lets it be kept (signature material removed), else the raw body decoded as UTF-8. */
  readonly body: string;
  /** Present when the adapter did not map the callback to events: why. */
  readonly unrecognizedReason?: string;
}

export interface AppendInput {
  /** The events of one callback, in the order they happened. */
  readonly events: readonly FriendEvent[];
  /**
   * The callback the events came from, stored unless its `id` is; every event this call stores links
   * to it. Absent when the receiver keeps no body for recognized callbacks.
   */
  readonly callback?: StoredCallback;
  /**
   * What the callback's signature authorizes (see `CallbackBinding`). The first fingerprint stored
   * for a key binds it until `expiresAt`: an append with that key and another fingerprint is refused
   * with `signature_reused`, and nothing of it is stored.
   */
  readonly binding?: CallbackBinding;
  /** The sinks every newly stored event must be delivered to (each gets its own delivery). */
  readonly sinks: readonly string[];
}

export interface AppendResult {
  /** Events stored by this call. */
  readonly inserted: number;
  /** Events whose id was already stored: nothing was written for them, no delivery was enqueued. */
  readonly duplicates: number;
  /** Whether this call stored the callback (false when there was none, or it was already stored). */
  readonly callbackInserted: boolean;
}

/** A stored callback by its id, or the one an event came from (the first callback that stored it). */
export type ReadCallbackInput = { readonly callbackId: string } | { readonly eventId: string };

export interface PageOptions {
  /** A `next` cursor from an earlier page; from the beginning when absent. */
  readonly after?: string | undefined;
  /** At most this many items (the store may cap it). */
  readonly limit?: number | undefined;
}

export interface EventPage {
  /** Events in the order they were stored. */
  readonly events: FriendEvent[];
  /** Opaque cursor after the last event of this page; pass it as `after`. Absent when the page is empty. */
  readonly next: string | undefined;
}

export interface UnrecognizedPage {
  /** The stored callbacks that have an `unrecognizedReason`, in the order they were stored. */
  readonly callbacks: StoredCallback[];
  readonly next: string | undefined;
}

/**
 * A decision about a pending friend request (see `FriendRequestPolicy`), as the application
 * recorded it: what was asked, the answer, who gave it and why.
 */
export interface RecordedDecision extends Omit<PendingFriendRequest, "message"> {
  /** Unique, chosen by the application: a decision recorded again with its id is stored once. */
  readonly id: string;
  readonly allow: boolean;
  /** Which of the application's rules decided, in its own words (`block_rule`, `endpoint`, `timeout`…). */
  readonly decidedBy: string;
  readonly reason?: string;
  /** The refusal code the provider was told. */
  readonly code?: number;
  /** ISO-8601 instant of the decision: its age for retention. */
  readonly decidedAt: string;
}

export interface DecisionPageOptions extends PageOptions {
  readonly provider?: string | undefined;
  readonly appId?: string | undefined;
  /** Only decisions whose actor or target is this user. */
  readonly user?: string | undefined;
}

export interface DecisionPage {
  /** In the order they were recorded. */
  readonly decisions: RecordedDecision[];
  readonly next: string | undefined;
}

/** One event on its way to one sink. */
export interface Delivery {
  /** Opaque, unique within the store. */
  readonly deliveryId: string;
  readonly sink: string;
  readonly event: FriendEvent;
  /**
   * The event's place in the store's arrival order: larger means stored later, the same for every
   * sink. A sink that keeps a friend table receives it as `DeliveryContext.sequences`.
   */
  readonly sequence: number;
  /** How many attempts failed before this claim. */
  readonly attempts: number;
}

export interface ClaimDeliveriesInput {
  readonly sink: string;
  readonly limit: number;
  /** The claimed deliveries are hidden from other claims until `now + leaseMs`. */
  readonly leaseMs: number;
  /** Epoch milliseconds. */
  readonly now: number;
}

export interface CompleteDeliveriesInput {
  readonly deliveryIds: readonly string[];
}

/** A failed attempt: either retried at `retryAt` (epoch ms), or moved to the dead letters. */
export type DeliveryFailure =
  | { readonly deliveryId: string; readonly error: string; readonly retryAt: number }
  | { readonly deliveryId: string; readonly error: string; readonly deadLetter: true };

export interface FailDeliveriesInput {
  readonly failures: readonly DeliveryFailure[];
  /** Epoch milliseconds; becomes `deadLetteredAt`. */
  readonly now: number;
}

export interface DeadLetter {
  readonly deliveryId: string;
  readonly sink: string;
  readonly event: FriendEvent;
  /** Attempts made, all failed. */
  readonly attempts: number;
  readonly lastError: string;
  /** ISO-8601 instant. */
  readonly deadLetteredAt: string;
}

export interface DeadLetterPageOptions extends PageOptions {
  /** Only this sink's dead letters. */
  readonly sink?: string | undefined;
}

export interface DeadLetterPage {
  /** In the order their deliveries were enqueued: their events' stored order, a backfill's after those before it. */
  readonly deadLetters: DeadLetter[];
  readonly next: string | undefined;
}

export interface ReplayDeadLettersInput {
  /** Only this sink's dead letters; every sink's when absent. */
  readonly sink?: string | undefined;
  /** Only these dead letters; all (of `sink`) when absent. */
  readonly deliveryIds?: readonly string[] | undefined;
  /** Epoch milliseconds: replayed deliveries are due at once. */
  readonly now: number;
}

export interface DeliveryCounts {
  readonly sink: string;
  /** Waiting, leased or scheduled for a retry. */
  readonly pending: number;
  readonly deadLettered: number;
}

/**
 * Stored events to be delivered (again) to one sink: a sink that starts from history, or a range an
 * operator replays. See `FriendEventStore.beginBackfill`.
 */
export interface BeginBackfillInput {
  readonly sink: string;
  /**
   * One backfill per sink and name: beginning it again returns the stored one as it stands (its range,
   * its progress), so that a process started again neither re-sends nor loses it.
   */
  readonly name: string;
  /** The first sequence (`Delivery.sequence`), inclusive; the earliest retained event when absent. */
  readonly fromSequence?: number | undefined;
  /**
   * The last sequence, inclusive, and never beyond the last event stored when the backfill begins
   * (later events got their deliveries when they were appended). That last event when absent.
   */
  readonly toSequence?: number | undefined;
}

export interface Backfill {
  readonly sink: string;
  readonly name: string;
  readonly fromSequence: number;
  /** Below `fromSequence` when nothing was stored in the range when it began: there is nothing to enqueue. */
  readonly toSequence: number;
  /** Where the next batch starts; undefined once the whole range was enqueued. */
  readonly nextSequence: number | undefined;
  /** Deliveries enqueued so far. */
  readonly enqueued: number;
}

export interface ContinueBackfillInput {
  readonly sink: string;
  /** At most this many stored events are looked at by this call, so that one call stays short. */
  readonly limit: number;
}

export interface BackfillProgress {
  /** Deliveries this call enqueued. */
  readonly enqueued: number;
  /** Whether the sink has no unfinished backfill left (its claims go on). */
  readonly finished: boolean;
}

export interface FriendsOfInput {
  readonly provider: string;
  readonly appId: string;
  readonly userId: string;
}

/** The friend table seen from one user: whom they count as a friend, whom they block. Both sorted. */
export interface FriendList {
  readonly friends: string[];
  readonly blocked: string[];
}

/** A user's events in one app of one provider, a page at a time. */
export interface UserEventsInput extends FriendsOfInput, PageOptions {}

export interface LatestEventsInput {
  /** At most this many of the last stored events (the store may cap it, as a page's `limit`). */
  readonly limit?: number | undefined;
}

export interface DeliveryStatisticsInput {
  /** The sinks to describe, in this order; a sink with nothing stored for it counts zeros. */
  readonly sinks: readonly string[];
}

/** Where one sink's deliveries stand. */
export interface SinkDeliveryStatistics {
  readonly sink: string;
  /** Waiting, leased or scheduled for a retry. */
  readonly pending: number;
  /** Pending deliveries that failed at least once (scheduled for a retry, or being retried). */
  readonly retrying: number;
  readonly deadLettered: number;
  /** Failed attempts of the deliveries still pending or dead-lettered. */
  readonly failedAttempts: number;
  /** `receivedAt` of the event of the earliest pending delivery: how long the oldest pending event has waited. */
  readonly oldestPendingReceivedAt: string | undefined;
}

/** How many things happened in one second. */
export interface SecondCount {
  /** Epoch seconds. */
  readonly second: number;
  readonly count: number;
}

export interface ActivityInput {
  /** Epoch milliseconds: the seconds from this one on (at most `activityWindowMs` ago). */
  readonly since: number;
}

/** Events stored and deliveries completed per second, by the store's clock, seconds ascending; seconds with none are left out. */
export interface Activity {
  readonly stored: SecondCount[];
  /** Per sink, by sink name; a sink that completed nothing in the window is left out. */
  readonly delivered: Array<{ readonly sink: string; readonly seconds: SecondCount[] }>;
}

/**
 * One round of pruning (see `FriendEventStore.prune`). Instants are epoch milliseconds; an event's
 * age is its `receivedAt`, a callback's its `receivedAt`.
 */
export interface PruneInput {
  /** Events received before this, with no pending delivery and no dead letter left, are removed. */
  readonly eventsReceivedBefore: number;
  /** Dead letters dead-lettered before this are removed (their events then follow the rule above). */
  readonly deadLettersBefore: number;
  /**
   * Unrecognized callbacks received before this are removed, and recognized ones no stored event
   * links to any more.
   */
  readonly callbacksReceivedBefore: number;
  /**
   * Friend-table tombstones (registers whose relation ended) whose `notBefore` is before this are
   * removed. Safe when no change whose ordering window ends at or before it can still arrive: such
   * a change is the only one a tombstone decides about (see `projection/friend-relation.ts`).
   */
  readonly tombstonesBefore: number;
  /** Recorded decisions decided before this are removed; none when absent. */
  readonly decisionsBefore?: number;
  /** At most this many rows of each kind are removed by this call. */
  readonly batchSize: number;
}

/** What one round of pruning removed. A count below the batch size means none of that kind is left. */
export interface PruneResult {
  readonly events: number;
  readonly deadLetters: number;
  readonly callbacks: number;
  readonly tombstones: number;
  readonly decisions: number;
}

/** What a store can tell of its size; a store leaves out what it cannot measure cheaply. */
export interface StoreSize {
  /** Events stored. */
  readonly events: number;
  /** Bytes the store's storage takes (database file and its log, relations and indexes). */
  readonly bytes?: number;
}

/**
 * The durable store contract behind a receiver: the SQLite store, the in-memory store and the
 * PostgreSQL store implement it, and `describeStoreConformance` (`@friendhook/testkit`) checks it.
 *
 * - `append` resolves only once the events are durable. In the same transaction it checks the
 *   binding, dedupes by event id, enqueues one delivery per new event and sink, stores the callback
 *   and links the new events to it, and applies the relationship events of the new events, in the
 *   order they are stored, to the friend table with `applyRelationChange` (see
 *   `projection/friend-relation.ts`).
 * - `append` refuses, with a `FriendhookError` and without storing anything: a binding whose key is
 *   bound to another fingerprint (`signature_reused`, 401), and text no store can keep exactly
 *   (`invalid_payload`, 400, see `checkStorableText`). Any other failure is the store's (a 5xx).
 * - Deliveries are ordered per (provider, appId, unordered user pair), see `deliveryOrderKey`, by
 *   their events' sequence (not by when the delivery was enqueued, which a backfill does late):
 *   `claimDeliveries` hands out a sink's deliveries in sequence order, and never one while a
 *   delivery of the same sink and key with a smaller sequence is pending outside that claim
 *   (scheduled for a retry, or leased). Dead letters do not hold a key back. One claim may contain
 *   several deliveries of one key, in sequence order.
 * - Backfills: `beginBackfill` records a range of sequences to deliver to one sink (once per sink
 *   and name; the range is fixed then), and `continueBackfill` enqueues the next `limit` events of the
 *   sink's oldest unfinished backfill, recording its progress in the same transaction, so that a
 *   large range goes in short batches between appends and a restart resumes where it stopped. An
 *   event that still has a delivery to that sink (pending, or dead-lettered: replay that with
 *   `replayDeadLetters`) is not enqueued twice; an event delivered before is enqueued again (its id
 *   is the same, for consumers that dedupe). Pruned events are gone: the earliest is the earliest
 *   retained. While a sink has an unfinished backfill, `claimDeliveries` hands out none of its
 *   deliveries: together with the sequence order above, a backfilled event reaches the sink before
 *   every later event of its pair that was pending when the backfill began or was appended during
 *   it (one already handed out before it began is on its way, and may arrive first).
 * - Completing or failing a delivery that is no longer pending (already completed, dead-lettered)
 *   does nothing, so a claim whose lease ran out cannot undo another worker's outcome.
 * - `prune` removes, oldest first and at most `batchSize` rows of each kind: dead letters older
 *   than `deadLettersBefore`; events older than `eventsReceivedBefore` that every sink has (no
 *   pending delivery, no dead letter); unrecognized callbacks older than `callbacksReceivedBefore`,
 *   and recognized ones that old that no event links to; tombstones older than `tombstonesBefore`;
 *   recorded decisions older than `decisionsBefore`.
 *   Friend-table registers that hold a relation are never removed. Several processes may prune one
 *   store at once; appends, claims and reads go on meanwhile.
 */
export interface FriendEventStore {
  append(input: AppendInput): Promise<AppendResult>;
  listEvents(options?: PageOptions): Promise<EventPage>;
  claimDeliveries(input: ClaimDeliveriesInput): Promise<Delivery[]>;
  completeDeliveries(input: CompleteDeliveriesInput): Promise<void>;
  failDeliveries(input: FailDeliveriesInput): Promise<void>;
  listDeadLetters(options?: DeadLetterPageOptions): Promise<DeadLetterPage>;
  /** Records a backfill of one sink, or returns the one recorded under its sink and name; see above. */
  beginBackfill(input: BeginBackfillInput): Promise<Backfill>;
  /** Enqueues the next batch of the sink's oldest unfinished backfill; see above. */
  continueBackfill(input: ContinueBackfillInput): Promise<BackfillProgress>;
  /** Moves dead letters back to pending with no attempts counted; returns how many. */
  replayDeadLetters(input: ReplayDeadLettersInput): Promise<number>;
  countDeliveries(): Promise<DeliveryCounts[]>;
  listUnrecognized(options?: PageOptions): Promise<UnrecognizedPage>;
  /** The stored callback with this id, or the one the event came from; undefined when there is none. */
  readCallback(input: ReadCallbackInput): Promise<StoredCallback | undefined>;
  friendsOf(input: FriendsOfInput): Promise<FriendList>;
  /** Stores decisions about pending friend requests, durably, once per id (see `RecordedDecision`). */
  recordDecisions(decisions: readonly RecordedDecision[]): Promise<void>;
  /** Recorded decisions in the order they were recorded, a page at a time, optionally of one app or user. */
  listDecisions(options?: DecisionPageOptions): Promise<DecisionPage>;
  /** Removes what the retention no longer needs, in one small batch; see above. */
  prune(input: PruneInput): Promise<PruneResult>;
  /** How many events the store holds and, where it can tell, how many bytes it takes. */
  measure(): Promise<StoreSize>;
  /**
   * The events whose actor or target is the user, in stored order, a page at a time: everything
   * that touched the user's relations (from the index of each, never a scan of every event).
   */
  listUserEvents(input: UserEventsInput): Promise<EventPage>;
  /** The last stored events, in stored order; `next` continues after the last (with `listEvents`). */
  listLatestEvents(input?: LatestEventsInput): Promise<EventPage>;
  /** Pending, retrying and dead-lettered deliveries of each sink, with the age of the oldest pending one. */
  deliveryStatistics(input: DeliveryStatisticsInput): Promise<SinkDeliveryStatistics[]>;
  /** Events stored and deliveries completed per second since `since` (kept for `activityWindowMs`). */
  activity(input: ActivityInput): Promise<Activity>;
  /** Waits for pending appends, then releases the store. Called once. */
  close(): Promise<void>;
}
