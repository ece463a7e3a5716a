import {
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import { easemobAcknowledgement, easemobRefusal } from "./easemob-acknowledgement";
import { resolveEasemobAppKey } from "./easemob-app-key";
import { type EasemobSignature, easemobBinding } from "./easemob-binding";
import {
  EasemobCallbackEnvelopeSchema,
  EasemobRosterCallbackSchema,
  EasemobSignedFieldsSchema,
  parseEasemobCallback,
} from "./easemob-callback-schemas";
import { isEasemobRosterOperation, readEasemobRosterCallback } from "./easemob-events";
import { checkEasemobEventCount } from "./easemob-event-cap";
import { easemobProvider } from "./easemob-provider";
import { type EasemobAdapterOptions, type ResolvedEasemobOptions, resolveEasemobOptions } from "./easemob-options";
import { verifyEasemobSignature } from "./easemob-authentication";
import { withoutJsonMember } from "./without-json-member";

/**
 * The adapter for Easemob (环信 IM) and Agora Chat roster callbacks. Options are validated here,
 * once; a mistyped option throws a `misconfigured` error at construction.
 */
export function createEasemobAdapter(options: EasemobAdapterOptions): ProviderAdapterV1 {
  const resolved = resolveEasemobOptions(options);
  return {
    specificationVersion: "v1",
    provider: easemobProvider,
    // A copy is accepted only while its signed timestamp lies within the freshness window of its
    // receipt, either way: two receipts of one callback are at most twice the window apart.
    deduplicationWindowMs: 2 * resolved.maximumAgeMilliseconds,
    receive: async (request) => receiveEasemobCallback(resolved, request),
    refuse: easemobRefusal,
  };
}

/**
 * The family of a callback that is not a roster one, for the record kept of it: its `chat_type`,
 * else the `event` of the group and chat room operations, else `userStatus` for the login and
 * logout callbacks, which carry neither.
 */
function familyOf(body: Record<string, unknown>): string {
  for (const name of ["chat_type", "event"]) {
    const value = body[name];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return typeof body.status === "string" ? "userStatus" : "unknown";
}

/**
 * Authenticates first (signature, age, app key); only an authenticated callback is read further.
 * Every authenticated callback that is not a readable roster change is acknowledged and reported
 * as unrecognized: Easemob counts every other answer against the callback rule and suspends it.
 */
function receiveEasemobCallback(options: ResolvedEasemobOptions, request: ProviderRequest): ReceivedCallback {
  const body = readJsonBody(request.body, easemobProvider);
  const signature = authenticate(options, body, request.receivedAt);
  const envelope = parseEasemobCallback(EasemobCallbackEnvelopeSchema, body, "an Easemob callback");
  const appKey = resolveEasemobAppKey(signature.callId, envelope.appkey, body.from, options);
  const bind = (fingerprint: string) => easemobBinding(appKey ?? "", signature, fingerprint, options.maximumAgeMilliseconds);
  const unrecognized = (command: string, reason: string, fingerprint: string): ReceivedCallback => ({
    provider: easemobProvider,
    // Only a callback of another family can get here without an app key; it is kept all the same.
    appId: appKey ?? "",
    command,
    events: [],
    unrecognized: { command, reason },
    body: keptBody(request),
    binding: bind(fingerprint),
    acknowledgement: easemobAcknowledgement,
  });

  if (envelope.chat_type !== "roster") {
    const family = familyOf(body);
    const messageId = typeof body.msg_id === "string" ? body.msg_id : null;
    return unrecognized(family, "not a roster callback: another callback family shares this URL", JSON.stringify([family, messageId]));
  }
  if (appKey === undefined) {
    throw new FriendhookError(
      "invalid_payload",
      "The roster callback names no app key: no appkey, no callId of the form {appkey}_{id}, no from of the form {appkey}_{user}.",
      { provider: easemobProvider },
    );
  }
  const roster = parseEasemobCallback(EasemobRosterCallbackSchema, body, "an Easemob roster callback");
  const { operation } = roster.payload;
  const command = `roster:${operation}`;
  if (!isEasemobRosterOperation(operation)) {
    const reason = "a roster operation this version of @friendhook/easemob does not know";
    return unrecognized(command, reason, JSON.stringify([command, roster.msg_id]));
  }
  const reading = readEasemobRosterCallback(operation, roster, {
    appKey,
    callbackId: signature.callId,
    timestamp: signature.timestamp,
    eventType: envelope.eventType,
    host: envelope.host,
    receivedAt: request.receivedAt,
  });
  if (reading.kind === "unrecognized") return unrecognized(command, reading.reason, reading.fingerprint);
  checkEasemobEventCount(command, reading.events.length, options.maximumEventsPerCallback);
  return {
    provider: easemobProvider,
    appId: appKey,
    command,
    events: reading.events,
    body: keptBody(request),
    binding: bind(reading.fingerprint),
    acknowledgement: easemobAcknowledgement,
  };
}

/**
 * Easemob signs `callId` and `timestamp` only, never the rest of the body: the freshness window
 * bounds how long a captured signature can be replayed, and the binding what it can be replayed
 * with. The signature is checked before the window, so that an unsigned caller learns nothing.
 */
function authenticate(options: ResolvedEasemobOptions, body: Record<string, unknown>, receivedAt: Date): EasemobSignature {
  const signed = parseEasemobCallback(EasemobSignedFieldsSchema, body, "an Easemob callback");
  const { security } = body;
  if (typeof security !== "string" || security.length === 0) {
    throw new FriendhookError(
      "missing_signature",
      "The callback carries no security string; Easemob signs every callback of a rule that has a secret.",
      { provider: easemobProvider },
    );
  }
  verifyEasemobSignature(signed, security, options.secrets);
  const ageMilliseconds = Math.abs(receivedAt.getTime() - signed.timestamp);
  if (ageMilliseconds > options.maximumAgeMilliseconds) {
    throw new FriendhookError(
      "stale_request",
      `The callback's timestamp lies ${Math.round(ageMilliseconds / 1000)} s from its receipt, more than the accepted ${options.maximumAgeMilliseconds / 1000} s (a replay, or a clock far off).`,
      { provider: easemobProvider },
    );
  }
  return { callId: signed.callId, timestamp: signed.timestamp, security };
}

const bodyText = new TextDecoder();

/**
 * The body as a receiver may keep it: `security`, which beside `callId` and `timestamp` would let a
 * reader attack the secret offline, is left out.
 */
function keptBody(request: ProviderRequest): string {
  return withoutJsonMember(bodyText.decode(request.body), "security");
}
