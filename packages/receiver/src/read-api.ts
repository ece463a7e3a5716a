import type {
  Activity,
  ActivityInput,
  DeliveryStatisticsInput,
  LatestEventsInput,
  SinkDeliveryStatistics,
  UserEventsInput,
  DeadLetterPage,
  DeadLetterPageOptions,
  DecisionPage,
  DecisionPageOptions,
  DeliveryCounts,
  EventPage,
  FriendEventStore,
  FriendList,
  FriendsOfInput,
  PageOptions,
  ReadCallbackInput,
  StoredCallback,
  UnrecognizedPage,
} from "@friendhook/core";
import { parseOptions } from "@friendhook/core";
import { z } from "zod";
import { hasMethods } from "./has-methods";
import type { Receiver } from "./receiver";

export interface ReplayOptions {
  /** Only this sink's dead letters; every sink's when absent. */
  readonly sink?: string;
  /** Only these dead letters (their `deliveryId`); all when absent. */
  readonly deliveryIds?: readonly string[];
}

/**
 * What a receiver has stored, for an application or an operator: the events, the friend table, the
 * kept callbacks, and the delivery state, with the one write an operator needs (replaying dead
 * letters). Apart from the receiver's ingest (`handle`, the handlers), so that it can be mounted
 * elsewhere, behind its own access control, or run in another process over the same store.
 */
export interface ReadApi {
  /** Events in the store's arrival order, a page at a time. */
  events(options?: PageOptions): Promise<EventPage>;
  /** A user's friends and the users they block, in one app of one provider. */
  friendsOf(input: FriendsOfInput): Promise<FriendList>;
  /** Deliveries that ran out of attempts or failed for good. */
  deadLetters(options?: DeadLetterPageOptions): Promise<DeadLetterPage>;
  /** Makes dead letters due again, with a fresh count of attempts, and wakes delivery; returns how many. */
  replayDeadLetters(options?: ReplayOptions): Promise<number>;
  /** Stored callbacks the adapters did not map to events, with the reason. */
  unrecognized(options?: PageOptions): Promise<UnrecognizedPage>;
  /** Recorded decisions about pending friend requests, in recorded order, optionally of one app or user. */
  decisions(options?: DecisionPageOptions): Promise<DecisionPage>;
  /** A stored callback by its id, or the one an event came from; undefined when none was kept. */
  callback(input: ReadCallbackInput): Promise<StoredCallback | undefined>;
  /** Pending and dead-lettered deliveries per sink. */
  deliveryCounts(): Promise<DeliveryCounts[]>;
  /** The events whose actor or target is the user, in arrival order, a page at a time. */
  userEvents(input: UserEventsInput): Promise<EventPage>;
  /** The last stored events, in arrival order; `next` continues after them with `events`. */
  latestEvents(input?: LatestEventsInput): Promise<EventPage>;
  /** Pending, retrying and dead-lettered deliveries of each sink, with the age of the oldest pending. */
  deliveryStatistics(input: DeliveryStatisticsInput): Promise<SinkDeliveryStatistics[]>;
  /** Events stored and deliveries completed per second, over at most the last hour. */
  activity(input: ActivityInput): Promise<Activity>;
}

const readMethods = [
  "listEvents",
  "friendsOf",
  "listDeadLetters",
  "replayDeadLetters",
  "listUnrecognized",
  "listDecisions",
  "readCallback",
  "countDeliveries",
  "listUserEvents",
  "listLatestEvents",
  "deliveryStatistics",
  "activity",
] as const;

export const ReadApiOptionsSchema = z.strictObject({
  /** The store to read: the receiver's own, or one shared with it (PostgreSQL). It is not closed here. */
  store: z.custom<FriendEventStore>(hasMethods(...readMethods), `the store must implement FriendEventStore (${readMethods.join(", ")})`),
  /**
   * The receiver whose delivery a replay wakes at once. Without it (another process, say), replayed
   * deliveries go at the delivering receiver's next poll (`delivery.pollIntervalMs`).
   */
  receiver: z.custom<Pick<Receiver, "wakeDelivery">>(hasMethods("wakeDelivery"), "the receiver must be one createReceiver made").optional(),
  /** The clock that dates a replay, for tests. */
  now: z.custom<() => number>((value) => typeof value === "function", "now must be a function returning epoch milliseconds").optional(),
});

export type ReadApiOptions = z.input<typeof ReadApiOptionsSchema>;

/**
 * The read and admin API over a store: `createReadApi({ store, receiver })`. Pages: `limit`
 * defaults to 100 and is capped at 1000; `next` is an opaque cursor to pass as `after`.
 */
export function createReadApi(input: ReadApiOptions): ReadApi {
  const { store, receiver, now = Date.now } = parseOptions(ReadApiOptionsSchema, input, "read API");
  return {
    events: (options) => store.listEvents(options),
    friendsOf: (friendsOfInput) => store.friendsOf(friendsOfInput),
    deadLetters: (options) => store.listDeadLetters(options),
    async replayDeadLetters(options = {}) {
      const replayed = await store.replayDeadLetters({ ...options, now: now() });
      if (replayed > 0) receiver?.wakeDelivery();
      return replayed;
    },
    unrecognized: (options) => store.listUnrecognized(options),
    decisions: (options) => store.listDecisions(options),
    callback: (readCallbackInput) => store.readCallback(readCallbackInput),
    deliveryCounts: () => store.countDeliveries(),
    userEvents: (userEventsInput) => store.listUserEvents(userEventsInput),
    latestEvents: (latestEventsInput) => store.listLatestEvents(latestEventsInput),
    deliveryStatistics: (statisticsInput) => store.deliveryStatistics(statisticsInput),
    activity: (activityInput) => store.activity(activityInput),
  };
}
