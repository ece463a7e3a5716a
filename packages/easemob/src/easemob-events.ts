import {
  type EventSource,
  type FriendEvent,
  type FriendEventDetails,
  type FriendEventOfType,
  type FriendEventType,
  FriendhookError,
  createFriendEvent,
} from "@friendhook/core";
import type { EasemobRosterCallback } from "./easemob-callback-schemas";
import { easemobProvider } from "./easemob-provider";
import { easemobUserOf } from "./easemob-user-id";


/** Every roster operation Easemob sends in `payload.operation`. */
export const easemobRosterOperations = [
  "add",
  "remove",
  "accept",
  "remote_accept",
  "decline",
  "remote_decline",
  "ban",
  "allow",
] as const;

export type EasemobRosterOperation = (typeof easemobRosterOperations)[number];

const knownOperations: ReadonlySet<string> = new Set(easemobRosterOperations);

export function isEasemobRosterOperation(operation: string): operation is EasemobRosterOperation {
  return knownOperations.has(operation);
}

type RosterCommand = "roster:add" | "roster:remove" | "roster:accept" | "roster:decline" | "roster:ban" | "roster:allow";

interface OperationView {
  /** The command every view of the operation shares, so that both views yield the same event. */
  readonly command: RosterCommand;
  /** Whether `to`, the user the callback was sent to, is the one who acted or the one acted upon. */
  readonly recipient: "actor" | "target";
}

/**
 * An answer to a friend request reaches Easemob's callback twice, with one `callId`, `msg_id`,
 * signature and timestamp: `accept` / `decline` is sent to the user who answered (`to` is the
 * answerer), `remote_accept` / `remote_decline` to the requester (`to` is the requester). The
 * documents define `to` for each view; `from` is the other user when the view names two. Both
 * views therefore resolve to the same actor (who answered) and target (who asked).
 */
const operationViews: Readonly<Record<EasemobRosterOperation, OperationView>> = {
  add: { command: "roster:add", recipient: "target" },
  remove: { command: "roster:remove", recipient: "target" },
  accept: { command: "roster:accept", recipient: "actor" },
  remote_accept: { command: "roster:accept", recipient: "target" },
  decline: { command: "roster:decline", recipient: "actor" },
  remote_decline: { command: "roster:decline", recipient: "target" },
  ban: { command: "roster:ban", recipient: "target" },
  allow: { command: "roster:allow", recipient: "target" },
};

/** What the adapter read from the signed envelope, shared by every event of one callback. */
export interface EasemobEventContext {
  readonly appKey: string;
  readonly callbackId: string;
  /** `timestamp`, in milliseconds. */
  readonly timestamp: number;
  readonly eventType: string | undefined;
  readonly host: string | undefined;
  readonly receivedAt: Date;
}

interface RosterFact extends EasemobEventContext {
  readonly command: RosterCommand;
  readonly messageId: string;
  readonly actor: string;
  readonly target: string;
  /** `timestamp` and `receivedAt` as events carry them (ISO-8601), formatted once per callback. */
  readonly occurredAtText: string;
  readonly receivedAtText: string;
}

function eventSource(fact: RosterFact): EventSource {
  const source: { -readonly [Name in keyof EventSource]: EventSource[Name] } = {
    command: fact.command,
    callbackId: fact.callbackId,
    messageId: fact.messageId,
  };
  if (fact.host !== undefined) source.host = fact.host;
  if (fact.eventType !== undefined) source.eventType = fact.eventType;
  return source;
}

function eventOf<Type extends FriendEventType>(
  type: Type,
  fact: RosterFact,
  mutual: boolean,
  details: FriendEventDetails<Type>,
): FriendEventOfType<Type> {
  return createFriendEvent(type, {
    provider: easemobProvider,
    appId: fact.appKey,
    actor: fact.actor,
    target: fact.target,
    mutual,
    providerTime: { occurredAt: fact.occurredAtText, source: "provider-milliseconds" },
    receivedAt: fact.receivedAtText,
    source: eventSource(fact),
    details,
    // One message id per roster action: every view and every retry of it yields this id.
    identity: [fact.messageId],
  });
}

/**
 * The text of a friend request. The documentation types `reason` as an object while every example
 * sends a string; an object is kept as its JSON text, an empty one as no text at all.
 */
function requestMessage(reason: unknown): string | undefined {
  if (typeof reason === "string") return reason.length > 0 ? reason : undefined;
  if (reason === null || typeof reason !== "object" || Object.keys(reason).length === 0) return undefined;
  try {
    return JSON.stringify(reason);
  } catch (cause) {
    throw new FriendhookError("invalid_payload", "The friend request's reason cannot be read as text.", {
      provider: easemobProvider,
      cause,
    });
  }
}

const rosterVersionOf = (payload: EasemobRosterCallback["payload"]) =>
  payload.roster_ver === undefined ? {} : { rosterVersion: payload.roster_ver };

/**
 * `ban` and `allow` report whether the change took effect. A failed one is kept as
 * `friend.operation.failed`, never applied as a relationship change, never dropped.
 */
function blocklistEvent(
  type: "friend.blocked" | "friend.unblocked",
  payload: EasemobRosterCallback["payload"],
  fact: RosterFact,
): FriendEvent {
  const failureCode = payload.status?.error_code;
  if (failureCode === undefined) {
    throw new FriendhookError(
      "invalid_payload",
      `A ${fact.command} callback must carry payload.status.error_code; without it, whether the change took effect is unknown.`,
      { provider: easemobProvider },
    );
  }
  if (failureCode === "ok") return eventOf(type, fact, false, rosterVersionOf(payload));
  return eventOf("friend.operation.failed", fact, false, { attemptedType: type, failureCode });
}

/** What one authenticated roster callback of a known operation says. */
export type EasemobRosterReading =
  | { readonly kind: "events"; readonly events: FriendEvent[]; readonly fingerprint: string }
  | { readonly kind: "unrecognized"; readonly reason: string; readonly fingerprint: string };

/**
 * What a signature over this callback may stand for (`CallbackBinding.fingerprint`): the action,
 * as every copy of it agrees. The two views of an answer share `callId`, `msg_id` and signature but
 * not `to`, and the documents do not say which of them names the pair, so an answer binds its
 * command and message only; a second body of the same answer makes the same event ids, which a
 * store keeps once. An action Easemob reports once also binds its two users (as a set) and, for
 * `ban` and `allow`, whether it took effect: a failed ban cannot be replayed as one that worked.
 */
function rosterFingerprint(
  command: RosterCommand,
  callback: EasemobRosterCallback,
  users: readonly [string | undefined, string | undefined],
): string {
  if (command === "roster:accept" || command === "roster:decline") return JSON.stringify([command, callback.msg_id]);
  const pair = users.map((user) => user?.toLowerCase() ?? "").sort();
  const outcome = command === "roster:ban" || command === "roster:allow" ? [callback.payload.status?.error_code ?? null] : [];
  return JSON.stringify([command, callback.msg_id, pair, ...outcome]);
}

/**
 * Reads one authenticated roster callback: the unified events, in the order they happened, or why
 * it names no relationship (kept as unrecognized, never guessed at).
 *
 * Events hold only what every view of an action agrees on. `roster_ver` is the version of the
 * recipient's own roster, so the two views of an answer carry different ones: it is kept for
 * `remove`, `ban` and `allow`, and left out of answers.
 */
export function readEasemobRosterCallback(
  operation: EasemobRosterOperation,
  callback: EasemobRosterCallback,
  context: EasemobEventContext,
): EasemobRosterReading {
  const view = operationViews[operation];
  const from = easemobUserOf(callback.from, context.appKey, "from");
  const to = easemobUserOf(callback.to, context.appKey, "to");
  const fingerprint = rosterFingerprint(view.command, callback, [from, to]);
  if (from === undefined || to === undefined) {
    const field = from === undefined ? "from" : "to";
    const reason = `${field} names no user (the app key alone, perhaps with a device resource), so who took part cannot be told`;
    return { kind: "unrecognized", reason, fingerprint };
  }
  if (from.toLowerCase() === to.toLowerCase()) {
    // User ids are case-insensitive in Easemob. The answerer's own copy of an answer (`accept`,
    // `decline`) can name the answerer twice: the requester's copy names the pair.
    const reason = "from and to name the same user: this copy names one user of the action, and a relationship needs two";
    return { kind: "unrecognized", reason, fingerprint };
  }
  // Listed rather than spread from `context`: this runs once per callback, and the spread costs more.
  const fact: RosterFact = {
    appKey: context.appKey,
    callbackId: context.callbackId,
    timestamp: context.timestamp,
    eventType: context.eventType,
    host: context.host,
    receivedAt: context.receivedAt,
    command: view.command,
    messageId: callback.msg_id,
    actor: view.recipient === "actor" ? to : from,
    target: view.recipient === "actor" ? from : to,
    occurredAtText: new Date(context.timestamp).toISOString(),
    receivedAtText: context.receivedAt.toISOString(),
  };
  return { kind: "events", events: rosterEvents(callback.payload, fact), fingerprint };
}

function rosterEvents(payload: EasemobRosterCallback["payload"], fact: RosterFact): FriendEvent[] {
  switch (fact.command) {
    case "roster:add": {
      const message = requestMessage(payload.reason);
      return [eventOf("friend.request.sent", fact, false, message === undefined ? {} : { message })];
    }
    case "roster:remove":
      // Easemob contacts are always mutual: removing one ends the friendship for both users.
      return [eventOf("friend.removed", fact, true, rosterVersionOf(payload))];
    case "roster:accept":
      return [
        eventOf("friend.request.accepted", fact, false, {}),
        eventOf("friend.added", fact, true, { initiator: fact.target, trigger: "response" }),
      ];
    case "roster:decline":
      return [eventOf("friend.request.declined", fact, false, {})];
    case "roster:ban":
      return [blocklistEvent("friend.blocked", payload, fact)];
    case "roster:allow":
      return [blocklistEvent("friend.unblocked", payload, fact)];
  }
}
