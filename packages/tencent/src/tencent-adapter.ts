import {
  callbackIdOf,
  type EventSource,
  type FriendEvent,
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
  type ReceivedCallback,
  readJsonBody,
  sha256Hex,
} from "@friendhook/core";
import { tencentAcknowledgement, tencentRefusal } from "./tencent-acknowledgement";
import {
  type TencentCommand,
  isRelationshipCommand,
  isTencentCommand,
  parseTencentCallback,
  tencentCommands,
} from "./tencent-callback-schemas";
import { type TencentResultItem, decidePrevFriendAdd, decidePrevFriendResponse } from "./tencent-decisions";
import { checkTencentEventCount } from "./tencent-event-cap";
import { type TencentEventContext, distinctEvents, friendAddedEvents, pairEvents } from "./tencent-events";
import { tencentProvider } from "./tencent-provider";
import { type ResolvedTencentOptions, type TencentAdapterOptions, resolveTencentOptions } from "./tencent-options";
import { verifyTencentSignature } from "./tencent-authentication";

/**
 * The adapter for Tencent Cloud IM relationship callbacks (`Sns.*`). Options are validated here,
 * once; a mistyped option throws a `misconfigured` error at construction.
 */
export function createTencentAdapter(options: TencentAdapterOptions): ProviderAdapterV1 {
  const resolved = resolveTencentOptions(options);
  return {
    specificationVersion: "v1",
    provider: tencentProvider,
    // Everything Tencent authenticates is in the URL: a forged upload is refused before it is read.
    authenticateHead: (head) => {
      authenticate(resolved, head);
    },
    receive: (request) => receiveTencentCallback(resolved, request),
    refuse: tencentRefusal,
  };
}

/**
 * Authenticates first (app, then signature), and only then reads the body; counts its changes
 * before it validates or normalizes any of them.
 */
async function receiveTencentCallback(
  options: ResolvedTencentOptions,
  request: ProviderRequest,
): Promise<ReceivedCallback> {
  const appId = authenticate(options, request);
  const body = readJsonBody(request.body, tencentProvider);
  const command = agreedCommand(request.query, body);
  if (!isTencentCommand(command)) {
    return {
      provider: tencentProvider,
      appId,
      command,
      events: [],
      unrecognized: { command, reason: unrecognizedReason(command) },
      acknowledgement: tencentAcknowledgement(),
    };
  }
  checkTencentEventCount(command, body, options.maximumEventsPerCallback);
  const context = eventContext(options, request, appId, command, body);
  const normalized = await normalize(options, command, body, context);
  return {
    provider: tencentProvider,
    appId,
    command,
    events: distinctEvents(normalized.events),
    acknowledgement: tencentAcknowledgement(normalized.resultItems),
  };
}

function authenticate(options: ResolvedTencentOptions, request: ProviderRequestHead): string {
  const appId = request.query.get("SdkAppid");
  if (!appId) {
    throw new FriendhookError("app_mismatch", "The callback URL carries no SdkAppid.", { provider: tencentProvider });
  }
  if (!options.sdkAppIds.has(appId)) {
    throw new FriendhookError("app_mismatch", "The callback is for an SdkAppid this receiver is not configured for.", {
      provider: tencentProvider,
    });
  }
  if (options.tokens.length > 0) {
    verifyTencentSignature(request.query, {
      token: options.tokens,
      maximumClockSkewSeconds: options.maximumClockSkewSeconds,
      now: options.now(),
    });
  }
  return appId;
}

const shown = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** Tencent names the command in the URL and again in the body; both must name the same one. */
function agreedCommand(query: URLSearchParams, body: Record<string, unknown>): string {
  const queryCommand = query.get("CallbackCommand");
  const bodyCommand = body.CallbackCommand;
  if (!queryCommand) {
    throw new FriendhookError("invalid_payload", "The callback URL carries no CallbackCommand.", { provider: tencentProvider });
  }
  if (typeof bodyCommand !== "string" || bodyCommand.length === 0) {
    throw new FriendhookError("invalid_payload", "The body carries no CallbackCommand string.", { provider: tencentProvider });
  }
  if (queryCommand !== bodyCommand) {
    throw new FriendhookError(
      "command_mismatch",
      `The callback URL names ${shown(queryCommand)} but the body names ${shown(bodyCommand)}.`,
      { provider: tencentProvider },
    );
  }
  return queryCommand;
}

function unrecognizedReason(command: string): string {
  return isRelationshipCommand(command)
    ? "a relationship (Sns.*) callback this version of @friendhook/tencent does not know"
    : "not a relationship (Sns.*) callback; another callback family shares this URL";
}

const textOf = (value: unknown): string | undefined => {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
};

/** A body field first (it is part of the bytes a retry resends), else the URL parameter of that name. */
function bodyOrQuery(body: Record<string, unknown>, query: URLSearchParams, name: string): string | undefined {
  return textOf(body[name]) ?? textOf(query.get(name));
}

interface SourceFields {
  readonly command: string;
  readonly requestId: string | undefined;
  readonly clientIp: string | undefined;
  readonly platform: string | undefined;
}

/** Where the callback came from; fields Tencent did not send are left out. */
function eventSource(fields: SourceFields): EventSource {
  const source: { -readonly [Name in keyof EventSource]: EventSource[Name] } = { command: fields.command };
  if (fields.requestId !== undefined) source.requestId = fields.requestId;
  if (fields.clientIp !== undefined) source.clientIp = fields.clientIp;
  if (fields.platform !== undefined) source.platform = fields.platform;
  return source;
}

function eventContext(
  options: ResolvedTencentOptions,
  request: ProviderRequest,
  appId: string,
  command: string,
  body: Record<string, unknown>,
): TencentEventContext {
  const requestId = bodyOrQuery(body, request.query, "RequestId");
  let digest: string | undefined;
  let callbackId: string | undefined;
  return {
    appId,
    command,
    receivedAt: request.receivedAt,
    receivedAtText: request.receivedAt.toISOString(),
    source: eventSource({
      command,
      requestId,
      clientIp: bodyOrQuery(body, request.query, "ClientIP"),
      platform: bodyOrQuery(body, request.query, "OptPlatform"),
    }),
    requestId,
    bodyDigest: () => {
      digest ??= sha256Hex(request.body);
      return digest;
    },
    callbackId: () => {
      callbackId ??= callbackIdOf({ provider: tencentProvider, appId, command }, request);
      return callbackId;
    },
  };
}

interface Normalized {
  readonly events: FriendEvent[];
  readonly resultItems?: TencentResultItem[];
}

async function normalize(
  options: ResolvedTencentOptions,
  command: TencentCommand,
  body: Record<string, unknown>,
  context: TencentEventContext,
): Promise<Normalized> {
  switch (command) {
    case tencentCommands.friendAdd:
      return { events: friendAddedEvents(parseTencentCallback(command, body), context) };
    case tencentCommands.friendDelete:
      return { events: pairEvents("friend.removed", parseTencentCallback(command, body), context) };
    case tencentCommands.blackListAdd:
      return { events: pairEvents("friend.blocked", parseTencentCallback(command, body), context) };
    case tencentCommands.blackListDelete:
      return { events: pairEvents("friend.unblocked", parseTencentCallback(command, body), context) };
    case tencentCommands.prevFriendAdd:
      return decidePrevFriendAdd(parseTencentCallback(command, body), context, options);
    case tencentCommands.prevFriendResponse:
      return decidePrevFriendResponse(parseTencentCallback(command, body), context, options);
  }
}
