import {
  callbackIdOf,
  type FriendEvent,
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import { openImAcknowledgement, openImRefusal } from "./openim-acknowledgement";
import { verifyOpenImToken } from "./openim-authentication";
import {
  type OpenImCommand,
  canonicalOpenImCommand,
  isOpenImCommand,
  openImCommands,
  parseOpenImCallback,
  parseOpenImEnvelope,
} from "./openim-callback-schemas";
import { type DecidedOpenImCallback, decideBeforeAddFriend, decideBeforeAddFriendAgree } from "./openim-decisions";
import { checkOpenImEventCount } from "./openim-event-cap";
import { type OpenImEventContext, blacklistEvent, friendRemovedEvent, importedFriendEvents, requestAcceptedEvents, requestSentEvent } from "./openim-events";
import { openImProvider } from "./openim-provider";
import { type OpenImAdapterOptions, type ResolvedOpenImOptions, resolveOpenImOptions } from "./openim-options";

const maximumOperationIdLength = 256;

function refusal(code: "method_not_allowed" | "command_mismatch" | "invalid_payload", message: string): FriendhookError {
  return new FriendhookError(code, message, { provider: openImProvider });
}

function lastPathSegment(path: string): string {
  const segment = path.replace(/\/+$/, "").split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Every OpenIM command reads `callback…Command`; OpenIM's sample URL ends in `/callbackExample`, which does not. */
const commandPattern = /^callback\w*Command$/i;

/**
 * OpenIM posts to `{webhook url}/{command}`. When the path ends in a command, it must be the one the
 * body names: a mismatch means a proxy or a client rewrote one of the two.
 */
function verifyPathCommand(path: string, command: string): void {
  const segment = lastPathSegment(path);
  if (commandPattern.test(segment) && segment !== command) {
    throw refusal(
      "command_mismatch",
      `The path names the command ${JSON.stringify(segment.slice(0, 80))}, the body ${JSON.stringify(command.slice(0, 80))}.`,
    );
  }
}

/** OpenIM sends the `operationID` of the API call with every callback; event ids are made from it. */
function readOperationId(request: ProviderRequest): string {
  const operationId = request.headers.operationid?.trim();
  if (!operationId) {
    throw refusal(
      "invalid_payload",
      "The operationID header is missing: OpenIM sends it with every callback, and friendhook derives event ids from it.",
    );
  }
  if (operationId.length > maximumOperationIdLength) {
    throw refusal("invalid_payload", `The operationID header is longer than ${maximumOperationIdLength} characters.`);
  }
  return operationId;
}

/** What a handled command yields: events, and for before-callbacks, the decision OpenIM is told. */
type Outcome = Pick<ReceivedCallback, "events" | "unrecognized"> & { readonly decided?: DecidedOpenImCallback };

const eventsOnly = (events: FriendEvent[]): Outcome => ({ events });

function acknowledgedWithoutEvents(command: string, reason: string): Outcome {
  return { events: [], unrecognized: { command, reason } };
}

async function handleCommand(
  command: OpenImCommand,
  body: Record<string, unknown>,
  context: OpenImEventContext,
  options: ResolvedOpenImOptions,
): Promise<Outcome> {
  switch (command) {
    case openImCommands.beforeAddFriend: {
      const decided = await decideBeforeAddFriend(parseOpenImCallback(command, body), context, options);
      return { events: decided.events, decided };
    }
    case openImCommands.beforeAddFriendAgree: {
      const decided = await decideBeforeAddFriendAgree(parseOpenImCallback(command, body), context, options);
      return { events: decided.events, decided };
    }
    case openImCommands.afterAddFriend:
      return eventsOnly([requestSentEvent(parseOpenImCallback(command, body), context)]);
    case openImCommands.afterAddFriendAgree:
      return eventsOnly(requestAcceptedEvents(parseOpenImCallback(command, body), context));
    case openImCommands.afterDeleteFriend:
      return eventsOnly([friendRemovedEvent(parseOpenImCallback(command, body), context)]);
    case openImCommands.beforeAddBlack:
      // OpenIM has no after-callback for a block: this is the only report of it, and it is allowed.
      return eventsOnly([blacklistEvent("friend.blocked", parseOpenImCallback(command, body), context)]);
    case openImCommands.afterRemoveBlack:
      return eventsOnly([blacklistEvent("friend.unblocked", parseOpenImCallback(command, body), context)]);
    case openImCommands.afterImportFriends:
      return eventsOnly(importedFriendEvents(parseOpenImCallback(command, body), context));
    case openImCommands.beforeImportFriends:
      return acknowledgedWithoutEvents(
        context.command,
        "an import is reported once done, by callbackAfterImportFriendsCommand; its before-callback is allowed without events",
      );
    case openImCommands.beforeSetFriendRemark:
    case openImCommands.afterSetFriendRemark:
      return acknowledgedWithoutEvents(context.command, "a remark is not a change to the relationship");
  }
}

/** What the method and headers alone tell: OpenIM posts, and the token travels in `Authorization`. */
function authenticateHead(request: ProviderRequestHead, options: ResolvedOpenImOptions): void {
  if (request.method !== "POST") {
    throw refusal("method_not_allowed", `OpenIM posts its callbacks; ${request.method.slice(0, 16)} is not accepted.`);
  }
  if (options.tokens.length > 0) verifyOpenImToken(request.headers, options.tokens);
}

async function receiveOpenImCallback(request: ProviderRequest, options: ResolvedOpenImOptions): Promise<ReceivedCallback> {
  // Authentication comes first: nothing about the body is read for a caller without the token.
  authenticateHead(request, options);
  const body = readJsonBody(request.body, openImProvider);
  const command = parseOpenImEnvelope(body);
  verifyPathCommand(request.path, command);

  const canonicalCommand = canonicalOpenImCommand(command);
  const received = { provider: openImProvider, appId: options.appId, command } as const;
  if (!isOpenImCommand(canonicalCommand)) {
    const reason = "not an OpenIM friend or blacklist callback (another family shares the webhook URL)";
    return { ...received, ...acknowledgedWithoutEvents(command, reason), acknowledgement: openImAcknowledgement() };
  }

  checkOpenImEventCount(canonicalCommand, body, options.maximumEventsPerCallback);
  const operationId = readOperationId(request);
  const context: OpenImEventContext = {
    appId: options.appId,
    command,
    operationId,
    receivedAt: request.receivedAt,
    source: { command, operationId },
    callbackId: () => callbackIdOf(received, request),
  };
  const outcome = await handleCommand(canonicalCommand, body, context, options);
  return {
    ...received,
    events: outcome.events,
    ...(outcome.unrecognized ? { unrecognized: outcome.unrecognized } : {}),
    acknowledgement: openImAcknowledgement(outcome.decided?.decision),
  };
}

/**
 * The OpenIM adapter: the friend and blacklist webhooks of `open-im-server`, normalized into unified
 * friend events, with the before-callbacks of friend requests answered by the application's policy.
 */
export function createOpenImAdapter(options: OpenImAdapterOptions = {}): ProviderAdapterV1 {
  const resolved = resolveOpenImOptions(options);
  return {
    specificationVersion: "v1",
    provider: openImProvider,
    authenticateHead: (head) => authenticateHead(head, resolved),
    receive: (request) => receiveOpenImCallback(request, resolved),
    refuse: openImRefusal,
  };
}
