import {
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import { __nameCamel__Acknowledgement, __nameCamel__Refusal } from "./__name__-acknowledgement";
import { parse__Name__Callback } from "./__name__-callback-schemas";
import { check__Name__EventCount } from "./__name__-event-cap";
import { __nameCamel__Events, is__Name__OperationKnown } from "./__name__-events";
import { __nameCamel__Provider } from "./__name__-provider";
import { type __Name__AdapterOptions, type Resolved__Name__Options, resolve__Name__Options } from "./__name__-options";
import { check__Name__SignatureHeaders, verify__Name__Signature } from "./__name__-authentication";

function refusal(code: "method_not_allowed" | "app_mismatch", message: string): FriendhookError {
  return new FriendhookError(code, message, { provider: __nameCamel__Provider });
}

/** What the method and headers tell before the body is read; shells refuse a forged upload unread. */
function authenticate__Name__Head(request: ProviderRequestHead): void {
  if (request.method !== "POST") {
    throw refusal("method_not_allowed", `__Title__ posts its callbacks; ${request.method.slice(0, 16)} is not accepted.`);
  }
  check__Name__SignatureHeaders(request.headers);
}

async function receive__Name__Callback(request: ProviderRequest, options: Resolved__Name__Options): Promise<ReceivedCallback> {
  // Authentication comes first (what the head tells, then the signature over the body): nothing is
  // parsed for a caller who cannot prove who they are.
  authenticate__Name__Head(request);
  verify__Name__Signature(request.headers, request.body, {
    secrets: options.secrets,
    maximumClockSkewSeconds: options.maximumClockSkewSeconds,
    now: options.now(),
  });
  const body = readJsonBody(request.body, __nameCamel__Provider);
  const callback = parse__Name__Callback(body);
  if (options.appIds && !options.appIds.has(callback.appId)) {
    throw refusal("app_mismatch", "The callback is for an app this receiver is not configured for.");
  }

  const received = { provider: __nameCamel__Provider, appId: callback.appId, command: callback.operation } as const;
  if (!is__Name__OperationKnown(callback.operation)) {
    return {
      ...received,
      events: [],
      unrecognized: { command: callback.operation, reason: "an operation this adapter does not map" },
      acknowledgement: __nameCamel__Acknowledgement(),
    };
  }
  // Counted before any event is made: a callback over the cap costs its parse and nothing more.
  check__Name__EventCount(callback.operation, options.maximumEventsPerCallback);
  const events = __nameCamel__Events(callback, {
    receivedAt: request.receivedAt,
  });
  return { ...received, events, acknowledgement: __nameCamel__Acknowledgement() };
}

/** The __Title__ adapter: verifies each callback, then normalizes it into unified friend events. */
export function create__Name__Adapter(options: __Name__AdapterOptions): ProviderAdapterV1 {
  const resolved = resolve__Name__Options(options);
  return {
    specificationVersion: "v1",
    provider: __nameCamel__Provider,
    authenticateHead: authenticate__Name__Head,
    receive: (request) => receive__Name__Callback(request, resolved),
    refuse: __nameCamel__Refusal,
  };
}
