import {
  type EventSource,
  type FriendEvent,
  type FriendEventFields,
  type FriendEventOfType,
  type ProviderTime,
  createFriendEvent,
  definedOnly,
  nonEmptyText,
} from "@friendhook/core";
import { tencentProvider } from "./tencent-provider";
import type {
  TencentFriendAddCallback,
  TencentPair,
  TencentPairListCallback,
  TencentPrevFriendAddCallback,
  TencentPrevFriendResponseCallback,
} from "./tencent-callback-schemas";

/** What every event of one callback shares. */
export interface TencentEventContext {
  readonly appId: string;
  readonly command: string;
  readonly receivedAt: Date;
  /** `receivedAt` as every event carries it (ISO-8601), formatted once per callback rather than per event. */
  readonly receivedAtText: string;
  readonly source: EventSource;
  /** Tencent's `RequestId`, the same on a retry and different for every other callback. */
  readonly requestId: string | undefined;
  /** SHA-256 of the raw body bytes; computed once, and only when an identity needs it. */
  readonly bodyDigest: () => string;
  /** The id the receiver keeps the callback under; computed once, and only when a decision needs it. */
  readonly callbackId?: () => string;
}

/** When Tencent says a change happened: the instant, and the number it sent for it. */
interface TencentTime extends ProviderTime {
  readonly value: number;
}

const fromSeconds = (seconds: number | undefined): TencentTime | undefined =>
  seconds === undefined ? undefined : { occurredAt: new Date(seconds * 1000).toISOString(), value: seconds, source: "provider-seconds" };

const fromMilliseconds = (milliseconds: number | undefined): TencentTime | undefined =>
  milliseconds === undefined
    ? undefined
    : { occurredAt: new Date(milliseconds).toISOString(), value: milliseconds, source: "provider-milliseconds" };

/**
 * What identifies one Tencent change. A retry resends the same body and `RequestId` (but a new
 * `RequestTime` and `Sign` in the URL, which are therefore never part of it). In order of preference:
 * the `RequestId`; else the provider's time for the change; else the digest of the raw body. The
 * command and the pair are always part of it, so one callback's pairs never share an id.
 */
function identityParts(
  context: TencentEventContext,
  actor: string,
  target: string,
  time: TencentTime | undefined,
): Array<string | number> {
  if (context.requestId !== undefined) return ["request", context.requestId, context.command, actor, target];
  if (time !== undefined) return ["time", context.command, actor, target, time.value];
  return ["body", context.command, actor, target, context.bodyDigest()];
}

/** What one event says besides what the callback shares; Tencent's time, when it sent one. */
type EventFields<Type extends FriendEvent["type"]> = Omit<
  FriendEventFields<Type>,
  "provider" | "appId" | "mutual" | "providerTime" | "receivedAt" | "source" | "identity"
> & { readonly providerTime: TencentTime | undefined };

function buildEvent<Type extends FriendEvent["type"]>(context: TencentEventContext, type: Type, fields: EventFields<Type>): FriendEventOfType<Type> {
  // Each field named rather than spread from `fields`: spreading an object into a literal with
  // further keys costs V8 several times the event's whole build, and a callback lists thousands.
  return createFriendEvent(type, {
    provider: tencentProvider,
    appId: context.appId,
    actor: fields.actor,
    target: fields.target,
    // Every Tencent pair is directional: a two-way change arrives as two pairs.
    mutual: false,
    providerTime: fields.providerTime,
    receivedAt: context.receivedAtText,
    source: { ...context.source },
    details: fields.details,
    identity: identityParts(context, fields.actor, fields.target, fields.providerTime),
  });
}

const clientCommandTriggers: Readonly<Record<string, "request" | "response">> = {
  friend_add: "request",
  FriendAdd: "request",
  friend_response: "response",
  FriendResponse: "response",
};

/** `Sns.CallbackFriendAdd`: one `friend.added` per pair. */
export function friendAddedEvents(callback: TencentFriendAddCallback, context: TencentEventContext): FriendEvent[] {
  const trigger = callback.ClientCmd === undefined ? undefined : clientCommandTriggers[callback.ClientCmd];
  const shared = {
    trigger,
    adminAccount: nonEmptyText(callback.Admin_Account),
    forced: callback.ForceFlag === undefined ? undefined : callback.ForceFlag === 1,
  };
  return callback.PairList.map((pair) =>
    buildEvent(context, "friend.added", {
      actor: pair.From_Account,
      target: pair.To_Account,
      providerTime: fromSeconds(pair.TimeStamp),
      details: definedOnly({ initiator: nonEmptyText(pair.Initiator_Account), ...shared }),
    }),
  );
}

type PairEventType = "friend.removed" | "friend.blocked" | "friend.unblocked";

/** `Sns.CallbackFriendDelete`, `Sns.CallbackBlackListAdd`, `Sns.CallbackBlackListDelete`: one event per pair. */
export function pairEvents(
  type: PairEventType,
  callback: TencentPairListCallback,
  context: TencentEventContext,
): FriendEvent[] {
  return callback.PairList.map((pair: TencentPair) =>
    buildEvent(context, type, {
      actor: pair.From_Account,
      target: pair.To_Account,
      providerTime: fromSeconds(pair.TimeStamp),
      details: {},
    }),
  );
}

const addTypes: Readonly<Record<string, "one_way" | "two_way">> = {
  Add_Type_Single: "one_way",
  Add_Type_Both: "two_way",
};

type FriendItem = TencentPrevFriendAddCallback["FriendItem"][number];

/** `Sns.CallbackPrevFriendAdd`: one `friend.request.sent` per request the decision let through. */
export function requestSentEvents(
  callback: TencentPrevFriendAddCallback,
  allowedItems: readonly FriendItem[],
  context: TencentEventContext,
): FriendEvent[] {
  const addType = callback.AddType === undefined ? undefined : addTypes[callback.AddType];
  const forced = callback.ForceAddFlags === undefined ? undefined : callback.ForceAddFlags === 1;
  return allowedItems.map((item) =>
    buildEvent(context, "friend.request.sent", {
      actor: callback.From_Account,
      target: item.To_Account,
      providerTime: fromMilliseconds(callback.EventTime),
      details: definedOnly({
        message: nonEmptyText(item.AddWording),
        remark: nonEmptyText(item.Remark),
        group: nonEmptyText(item.GroupName),
        addSource: nonEmptyText(item.AddSource),
        addType,
        forced,
      }),
    }),
  );
}

type ResponseFriendItem = TencentPrevFriendResponseCallback["ResponseFriendItem"][number];

const responseOutcomes: Readonly<Record<string, "friend.request.accepted" | "friend.request.declined">> = {
  Response_Action_Agree: "friend.request.accepted",
  Response_Action_AgreeAndAdd: "friend.request.accepted",
  Response_Action_Reject: "friend.request.declined",
};

/** Whether a `ResponseAction` accepts the request; undefined for an action this package does not know. */
export function responseAccepts(responseAction: string | undefined): boolean | undefined {
  const outcome = responseAction === undefined ? undefined : responseOutcomes[responseAction];
  return outcome === undefined ? undefined : outcome === "friend.request.accepted";
}

/**
 * `Sns.CallbackPrevFriendResponse`: one `friend.request.accepted` or `.declined` per answer the
 * decision let through. The responder (`From_Account`) is the actor, the requester the target. An
 * answer with an unknown `ResponseAction` yields no event: its outcome cannot be told.
 */
export function requestAnsweredEvents(
  callback: TencentPrevFriendResponseCallback,
  allowedItems: readonly ResponseFriendItem[],
  context: TencentEventContext,
): FriendEvent[] {
  const events: FriendEvent[] = [];
  for (const item of allowedItems) {
    const type = item.ResponseAction === undefined ? undefined : responseOutcomes[item.ResponseAction];
    if (type === undefined) continue;
    events.push(
      buildEvent(context, type, {
        actor: callback.From_Account,
        target: item.To_Account,
        providerTime: fromMilliseconds(callback.EventTime),
        details: definedOnly({
          remark: nonEmptyText(item.Remark),
          group: nonEmptyText(item.TagName),
          responseAction: item.ResponseAction,
        }),
      }),
    );
  }
  return events;
}

/**
 * Keeps the first event of each id. A pair listed twice in one callback describes one change, and
 * the events of one callback must have distinct ids. Linear in the number of events.
 */
export function distinctEvents(events: readonly FriendEvent[]): FriendEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
}
