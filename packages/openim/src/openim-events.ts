import {
  type EventSource,
  type FriendEvent,
  type FriendEventFields,
  type FriendEventOfType,
  createFriendEvent,
  definedOnly,
  nonEmptyText,
} from "@friendhook/core";
import { openImProvider } from "./openim-provider";
import type {
  OpenImAddFriendAgreeCallback,
  OpenImAfterAddFriendCallback,
  OpenImAfterDeleteFriendCallback,
  OpenImBeforeAddFriendCallback,
  OpenImBlackCallback,
  OpenImImportFriendsCallback,
} from "./openim-callback-schemas";

/** OpenIM's `HandleResult` values (`constant.FriendResponseAgree` / `FriendResponseRefuse`). */
export const openImHandleResults = { agree: 1, refuse: -1 } as const;

/** What every event of one callback shares. */
export interface OpenImEventContext {
  readonly appId: string;
  readonly command: string;
  /** The `operationID` header: OpenIM's id of the API call that caused the callback. */
  readonly operationId: string;
  readonly receivedAt: Date;
  readonly source: EventSource;
  /** The id the receiver keeps the callback under, for the pending request of a before-callback. */
  readonly callbackId?: () => string;
}

/**
 * What identifies one OpenIM fact: the API call (`operationID`) and the two users, under the event
 * type. OpenIM never retries a callback, and a client that retries the call sends a new operation.
 * The before- and after-callback of one call carry the same `operationID`, so the two views of one
 * fact (the request was allowed, the request was stored) get one id and are stored once.
 */
function identityParts(context: OpenImEventContext, actor: string, target: string): string[] {
  return ["operation", context.operationId, actor, target];
}

/** What one event says besides what the callback shares. */
type EventFields<Type extends FriendEvent["type"]> = Omit<FriendEventFields<Type>, "provider" | "appId" | "receivedAt" | "source" | "identity">;

function buildEvent<Type extends FriendEvent["type"]>(context: OpenImEventContext, type: Type, fields: EventFields<Type>): FriendEventOfType<Type> {
  // Each field named rather than spread from `fields`, as in every adapter: spreading an object
  // into a literal with further keys is the slow path of building an event.
  return createFriendEvent(type, {
    provider: openImProvider,
    appId: context.appId,
    actor: fields.actor,
    target: fields.target,
    mutual: fields.mutual,
    providerTime: fields.providerTime,
    details: fields.details,
    // OpenIM's friend callbacks carry no time: the receive time stands in.
    receivedAt: context.receivedAt.toISOString(),
    source: context.source,
    identity: identityParts(context, fields.actor, fields.target),
  });
}

/**
 * `callbackBeforeAddFriendCommand` (once allowed) and `callbackAfterAddFriendCommand`: a request was
 * sent. OpenIM calls the latter "after add friend", but it fires when the request is stored, before
 * anyone answers it: it is `friend.request.sent`, never `friend.added`.
 */
export function requestSentEvent(
  callback: OpenImBeforeAddFriendCallback | OpenImAfterAddFriendCallback,
  context: OpenImEventContext,
): FriendEvent {
  return buildEvent(context, "friend.request.sent", {
    actor: callback.fromUserID,
    target: callback.toUserID,
    mutual: false,
    details: definedOnly({
      message: nonEmptyText(callback.reqMsg),
      extension: "ex" in callback && typeof callback.ex === "string" ? nonEmptyText(callback.ex) : undefined,
    }),
  });
}

/** The answer to a request: the responder (`toUserID`) is the actor, the requester the target. */
export function requestAnsweredEvent(callback: OpenImAddFriendAgreeCallback, context: OpenImEventContext): FriendEvent {
  const type = callback.handleResult === openImHandleResults.refuse ? "friend.request.declined" : "friend.request.accepted";
  return buildEvent(context, type, {
    actor: callback.toUserID,
    target: callback.fromUserID,
    mutual: false,
    details: definedOnly({ message: nonEmptyText(callback.handleMsg) }),
  });
}

/**
 * `callbackAfterAddFriendAgreeCommand`: the request was accepted and OpenIM made the two friends in
 * both directions. Should a server ever send it for a refusal, only the refusal is reported.
 */
export function requestAcceptedEvents(callback: OpenImAddFriendAgreeCallback, context: OpenImEventContext): FriendEvent[] {
  const answered = requestAnsweredEvent(callback, context);
  if (answered.type !== "friend.request.accepted") return [answered];
  const added = buildEvent(context, "friend.added", {
    actor: callback.toUserID,
    target: callback.fromUserID,
    mutual: true,
    details: { initiator: callback.fromUserID, trigger: "response" },
  });
  return [answered, added];
}

/** `callbackAfterDeleteFriendCommand`: OpenIM deletes from the owner's list only, so it is one-way. */
export function friendRemovedEvent(callback: OpenImAfterDeleteFriendCallback, context: OpenImEventContext): FriendEvent {
  return buildEvent(context, "friend.removed", {
    actor: callback.ownerUserID,
    target: callback.friendUserID,
    mutual: false,
    details: {},
  });
}

/** `callbackBeforeAddBlackCommand` (OpenIM has no after-callback for it) and `callbackAfterRemoveBlackCommand`. */
export function blacklistEvent(
  type: "friend.blocked" | "friend.unblocked",
  callback: OpenImBlackCallback,
  context: OpenImEventContext,
): FriendEvent {
  return buildEvent(context, type, {
    actor: callback.ownerUserID,
    target: callback.blackUserID,
    mutual: false,
    details: {},
  });
}

/**
 * `callbackAfterImportFriendsCommand`: an administrator made `ownerUserID` and each listed user
 * friends in both directions, without asking either. A user listed twice is one friendship.
 */
export function importedFriendEvents(callback: OpenImImportFriendsCallback, context: OpenImEventContext): FriendEvent[] {
  const friendUserIds = [...new Set(callback.friendUserIDs)];
  return friendUserIds.map((friendUserId) =>
    buildEvent(context, "friend.added", {
      actor: callback.ownerUserID,
      target: friendUserId,
      mutual: true,
      details: { initiator: callback.ownerUserID, trigger: "admin", forced: true },
    }),
  );
}
