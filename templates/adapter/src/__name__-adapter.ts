import {
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ReceivedCallback,
  readJsonBody,
} from "@friendhook/core";
import { __nameCamel__Acknowledgement, __nameCamel__Refusal } from "./__name__-acknowledgement";
import { parse__Name__Callback } from "./__name__-callback-schemas";
import { __nameCamel__Events, is__Name__OperationKnown } from "./__name__-events";
import { __nameCamel__Provider } from "./__name__-provider";
import { type __Name__AdapterSettings, type Resolved__Name__Settings, resolve__Name__Settings } from "./__name__-settings";
import { verify__Name__Signature } from "./__name__-signature";

function refusal(code: "method_not_allowed" | "app_mismatch", message: string): FriendhookError {
  return new FriendhookError(code, message, { provider: __nameCamel__Provider });
}

async function receive__Name__Callback(request: ProviderRequest, settings: Resolved__Name__Settings): Promise<ReceivedCallback> {
  if (request.method !== "POST") {
    throw refusal("method_not_allowed", `__Title__ posts its callbacks; ${request.method.slice(0, 16)} is not accepted.`);
  }
  // Authentication comes first: nothing is parsed for a caller who cannot prove who they are.
  verify__Name__Signature(request.headers, request.body, {
    secrets: settings.secrets,
    maximumClockSkewSeconds: settings.maximumClockSkewSeconds,
    now: settings.now(),
  });
  const body = readJsonBody(request.body, __nameCamel__Provider);
  const callback = parse__Name__Callback(body);
  if (settings.appIds && !settings.appIds.has(callback.appId)) {
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
  const events = __nameCamel__Events(callback, {
    receivedAt: request.receivedAt,
  });
  return { ...received, events, acknowledgement: __nameCamel__Acknowledgement() };
}

/** The __Title__ adapter: verifies each callback, then normalizes it into unified friend events. */
export function create__Name__Adapter(settings: __Name__AdapterSettings): ProviderAdapterV1 {
  const resolved = resolve__Name__Settings(settings);
  return {
    specificationVersion: "v1",
    provider: __nameCamel__Provider,
    receive: (request) => receive__Name__Callback(request, resolved),
    refuse: __nameCamel__Refusal,
  };
}
