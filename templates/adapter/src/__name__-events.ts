import { type EventSource, type FriendEvent, type FriendEventType, createFriendEvent } from "@friendhook/core";
import type { __Name__Callback } from "./__name__-callback-schemas";
import { __nameCamel__Provider } from "./__name__-provider";

/**
 * TODO(__name__): map each of the provider's operations to the unified event types it reports. An
 * operation that is missing here is acknowledged and kept as unrecognized, never guessed at.
 * `mutual` says whether the change applies in both directions.
 */
interface ReportedChange {
  readonly type: FriendEventType;
  readonly mutual: boolean;
}

const operations: Readonly<Record<string, readonly ReportedChange[]>> = {
  friend_request: [{ type: "friend.request.sent", mutual: false }],
  friend_accept: [
    { type: "friend.request.accepted", mutual: false },
    { type: "friend.added", mutual: true },
  ],
  friend_decline: [{ type: "friend.request.declined", mutual: false }],
  friend_remove: [{ type: "friend.removed", mutual: true }],
  block: [{ type: "friend.blocked", mutual: false }],
  unblock: [{ type: "friend.unblocked", mutual: false }],
};

export function is__Name__OperationKnown(operation: string): boolean {
  return Object.hasOwn(operations, operation);
}

/** How many events a callback of `operation` makes, known before any is made; 0 when it is not known. */
export function __nameCamel__ChangeCount(operation: string): number {
  return is__Name__OperationKnown(operation) ? (operations[operation]?.length ?? 0) : 0;
}

export interface __Name__EventContext {
  readonly receivedAt: Date;
}

/**
 * TODO(__name__): the identity of one fact. The parts must be the same on every retry and in every
 * view of the fact (two callbacks that report one change must give one id), and differ for any
 * other fact. Prefer the provider's own id of the fact; else the users and the provider's time.
 * Never the receive time, never a signature or a per-delivery id.
 */
function identityParts(callback: __Name__Callback): string[] {
  return [callback.eventId];
}

/** The unified events of one callback; empty when the operation is not known. */
export function __nameCamel__Events(callback: __Name__Callback, context: __Name__EventContext): FriendEvent[] {
  const changes = is__Name__OperationKnown(callback.operation) ? (operations[callback.operation] ?? []) : [];
  const source: EventSource = { command: callback.operation, callbackId: callback.eventId };
  const receivedAt = context.receivedAt.toISOString();
  return changes.map(({ type, mutual }) =>
    createFriendEvent(type, {
      provider: __nameCamel__Provider,
      appId: callback.appId,
      actor: callback.from,
      target: callback.to,
      mutual,
      providerTime:
        callback.occurredAt === undefined
          ? undefined
          : { occurredAt: new Date(callback.occurredAt).toISOString(), source: "provider-milliseconds" },
      receivedAt,
      source,
      details: type === "friend.request.sent" && callback.message ? { message: callback.message } : {},
      identity: identityParts(callback),
    }),
  );
}
