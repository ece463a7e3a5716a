import {
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderResponse,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import { resolveEasemobAppKey } from "./easemob-app-key";
import { type EasemobSignature, easemobBinding } from "./easemob-binding";
import {
  EasemobCallbackEnvelopeSchema,
  EasemobRosterCallbackSchema,
  EasemobSignedFieldsSchema,
  parseEasemobCallback,
} from "./easemob-callback-schema";
import { easemobProvider, isEasemobRosterOperation, readEasemobRosterCallback } from "./easemob-events";
import { type EasemobAdapterSettings, type ResolvedEasemobSettings, resolveEasemobSettings } from "./easemob-settings";
import { verifyEasemobSignature } from "./easemob-signature";
import { withoutJsonMember } from "./without-json-member";

const jsonHeaders = { "content-type": "application/json; charset=utf-8" } as const;

/** Easemob reads only the status: 200 is success, and the body must stay under 1,000 characters. */
const acknowledgement: ProviderResponse = { status: 200, headers: jsonHeaders, body: '{"status":"ok"}' };

/**
 * The adapter for Easemob (环信 IM) and Agora Chat roster callbacks. Settings are validated here,
 * once; a mistyped option throws a `misconfigured` error at construction.
 */
export function createEasemobAdapter(settings: EasemobAdapterSettings): ProviderAdapterV1 {
  const resolved = resolveEasemobSettings(settings);
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
function receiveEasemobCallback(settings: ResolvedEasemobSettings, request: ProviderRequest): ReceivedCallback {
  const body = readJsonBody(request.body, easemobProvider);
  const signature = authenticate(settings, body, request.receivedAt);
  const envelope = parseEasemobCallback(EasemobCallbackEnvelopeSchema, body, "an Easemob callback");
  const appKey = resolveEasemobAppKey(signature.callId, envelope.appkey, body.from, settings);
  const bind = (fingerprint: string) => easemobBinding(appKey ?? "", signature, fingerprint, settings.maximumAgeMilliseconds);
  const unrecognized = (command: string, reason: string, fingerprint: string): ReceivedCallback => ({
    provider: easemobProvider,
    // Only a callback of another family can get here without an app key; it is kept all the same.
    appId: appKey ?? "",
    command,
    events: [],
    unrecognized: { command, reason },
    body: keptBody(request),
    binding: bind(fingerprint),
    acknowledgement,
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
  if (reading.events.length > settings.maximumEventsPerCallback) {
    throw new FriendhookError(
      "too_many_events",
      `The ${command} callback makes ${reading.events.length} events, more than maximumEventsPerCallback (${settings.maximumEventsPerCallback}).`,
      { provider: easemobProvider },
    );
  }
  return {
    provider: easemobProvider,
    appId: appKey,
    command,
    events: reading.events,
    body: keptBody(request),
    binding: bind(reading.fingerprint),
    acknowledgement,
  };
}

/**
 * Easemob signs `callId` and `timestamp` only, never the rest of the body: the freshness window
 * bounds how long a captured signature can be replayed, and the binding what it can be replayed
 * with. The signature is checked before the window, so that an unsigned caller learns nothing.
 */
function authenticate(settings: ResolvedEasemobSettings, body: Record<string, unknown>, receivedAt: Date): EasemobSignature {
  const signed = parseEasemobCallback(EasemobSignedFieldsSchema, body, "an Easemob callback");
  const { security } = body;
  if (typeof security !== "string" || security.length === 0) {
    throw new FriendhookError(
      "missing_signature",
      "The callback carries no security string; Easemob signs every callback of a rule that has a secret.",
      { provider: easemobProvider },
    );
  }
  verifyEasemobSignature(signed, security, settings.secrets);
  const ageMilliseconds = Math.abs(receivedAt.getTime() - signed.timestamp);
  if (ageMilliseconds > settings.maximumAgeMilliseconds) {
    throw new FriendhookError(
      "stale_request",
      `The callback's timestamp lies ${Math.round(ageMilliseconds / 1000)} s from its receipt, more than the accepted ${settings.maximumAgeMilliseconds / 1000} s (a replay, or a clock far off).`,
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

/**
 * Control characters and lone surrogates become spaces and the message is cut to 240 characters,
 * so that JSON escaping can at most double it: the body stays far below Easemob's 1,000.
 */
const unsafeCharacters = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function shortMessage(message: string): string {
  return Array.from(message.replace(unsafeCharacters, " ")).slice(0, 240).join("");
}

/** A refusal with the error's status; Easemob retries once after any answer but 200. */
export function easemobRefusal(error: FriendhookError): ProviderResponse {
  const body = { error: { code: error.code, message: shortMessage(error.message) } };
  return { status: error.status, headers: jsonHeaders, body: JSON.stringify(body) };
}
