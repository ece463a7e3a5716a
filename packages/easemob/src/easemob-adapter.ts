import {
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderResponse,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import {
  type EasemobCallbackEnvelope,
  EasemobCallbackEnvelopeSchema,
  EasemobRosterCallbackSchema,
  EasemobSignedFieldsSchema,
  parseEasemobCallback,
  quoted,
} from "./easemob-callback-schema";
import { easemobProvider, easemobRosterEvents, isEasemobRosterOperation } from "./easemob-events";
import { type EasemobAdapterSettings, type ResolvedEasemobSettings, resolveEasemobSettings } from "./easemob-settings";
import { type EasemobSignedFields, verifyEasemobSignature } from "./easemob-signature";
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
    receive: async (request) => receiveEasemobCallback(resolved, request),
    refuse: easemobRefusal,
  };
}

/** Authenticates first (signature, age, app key); only an authenticated callback is normalized. */
function receiveEasemobCallback(settings: ResolvedEasemobSettings, request: ProviderRequest): ReceivedCallback {
  const body = readJsonBody(request.body, easemobProvider);
  const signed = authenticate(settings, body, request.receivedAt);
  const envelope = parseEasemobCallback(EasemobCallbackEnvelopeSchema, body, "an Easemob callback");
  if (settings.appKeys !== undefined && !settings.appKeys.has(envelope.appkey.toLowerCase())) {
    throw new FriendhookError(
      "app_mismatch",
      `The callback is for the app key ${quoted(envelope.appkey)}, which this receiver is not configured for.`,
      { provider: easemobProvider },
    );
  }
  if (envelope.chat_type !== "roster") {
    return unrecognized(envelope, request, envelope.chat_type, "not a roster callback: another callback family shares this URL");
  }
  const roster = parseEasemobCallback(EasemobRosterCallbackSchema, body, "an Easemob roster callback");
  const { operation } = roster.payload;
  const command = `roster:${operation}`;
  if (!isEasemobRosterOperation(operation)) {
    return unrecognized(envelope, request, command, "a roster operation this version of @friendhook/easemob does not know");
  }
  const events = easemobRosterEvents(operation, roster, {
    appKey: envelope.appkey,
    callbackId: signed.callId,
    timestamp: signed.timestamp,
    eventType: envelope.eventType,
    host: envelope.host,
    receivedAt: request.receivedAt,
  });
  return { provider: easemobProvider, appId: envelope.appkey, command, events, body: keptBody(request), acknowledgement };
}

/**
 * Easemob signs `callId` and `timestamp` only, never the rest of the body. The age check is off
 * unless configured, because Easemob documents no window of its own.
 */
function authenticate(
  settings: ResolvedEasemobSettings,
  body: Record<string, unknown>,
  receivedAt: Date,
): EasemobSignedFields {
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
  if (settings.maximumAgeMilliseconds !== undefined) {
    const ageMilliseconds = Math.abs(receivedAt.getTime() - signed.timestamp);
    if (ageMilliseconds > settings.maximumAgeMilliseconds) {
      throw new FriendhookError(
        "stale_request",
        `The callback's timestamp lies ${Math.round(ageMilliseconds / 1000)} s from its receipt, more than the accepted ${settings.maximumAgeMilliseconds / 1000} s (a replay, or a clock far off).`,
        { provider: easemobProvider },
      );
    }
  }
  return signed;
}

const bodyText = new TextDecoder();

/** The body as a receiver may keep it: `security`, derived from the secret, is left out. */
function keptBody(request: ProviderRequest): string {
  return withoutJsonMember(bodyText.decode(request.body), "security");
}

/**
 * An authenticated callback the adapter does not map. The receiver keeps its body as sent, but for
 * `security`, which beside `callId` and `timestamp` would let a reader attack the secret offline.
 */
function unrecognized(envelope: EasemobCallbackEnvelope, request: ProviderRequest, command: string, reason: string): ReceivedCallback {
  return {
    provider: easemobProvider,
    appId: envelope.appkey,
    command,
    events: [],
    unrecognized: { command, reason },
    body: keptBody(request),
    acknowledgement,
  };
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
