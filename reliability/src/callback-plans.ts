import type { ProviderRequest } from "@friendhook/core";
import { type EasemobCallbackInit, buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "@friendhook/easemob";
import { type TencentCallbackInit, buildTencentCallback, createTencentAdapter } from "@friendhook/tencent";

export type Route = "easemob" | "tencent";

/** One callback a test will send, perhaps several times, with the events it stands for. */
export interface PlannedCallback {
  /** Unique within a test, for messages. */
  readonly key: string;
  readonly route: Route;
  /** Correctly signed for the app's credentials (the app must take it), or not (it must refuse it). */
  readonly genuine: boolean;
  /**
   * A request for one attempt. Easemob resends the same bytes; Tencent signs every attempt with a
   * fresh `RequestTime`, and the body stays the same, so the event ids do too.
   */
  build(): ProviderRequest;
  /** The ids of the events this callback yields when accepted, as the adapter derives them. */
  readonly eventIds: readonly string[];
  /** The relationship events this callback yields, for friend-table expectations. */
  readonly eventTypes: readonly string[];
}

const oracleSecret = "oracle-secret";

/**
 * The events the app would store if it accepted `request`. Event ids never depend on a signature,
 * so an adapter that ignores the signature (Easemob: the body re-signed with a secret of its own;
 * Tencent: no token) derives exactly the ids the app derives. A body no adapter can read yields none.
 */
export async function expectedEventsOf(
  route: Route,
  request: ProviderRequest,
): Promise<{ eventIds: string[]; eventTypes: string[] }> {
  try {
    const callback =
      route === "easemob"
        ? await createEasemobAdapter({ secret: oracleSecret }).receive(resignedEasemobRequest(request))
        : await createTencentAdapter({ sdkAppIds: [request.query.get("SdkAppid") || "0"] }).receive(request);
    return { eventIds: callback.events.map((event) => event.id), eventTypes: callback.events.map((event) => event.type) };
  } catch {
    return { eventIds: [], eventTypes: [] };
  }
}

function resignedEasemobRequest(request: ProviderRequest): ProviderRequest {
  const body = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
  const { callId, timestamp } = body;
  if (typeof callId !== "string" || typeof timestamp !== "number") return request;
  const security = signEasemobCallback({ callId, timestamp }, oracleSecret);
  return { ...request, body: new TextEncoder().encode(JSON.stringify({ ...body, security })) };
}

export interface EasemobPlanInit extends EasemobCallbackInit {
  readonly key: string;
  readonly genuine: boolean;
}

export async function planEasemobCallback(init: EasemobPlanInit): Promise<PlannedCallback> {
  const { key, genuine, ...callbackInit } = init;
  const request = buildEasemobCallback(callbackInit);
  const expected = await expectedEventsOf("easemob", request);
  return { key, route: "easemob", genuine, build: () => request, ...expected };
}

export interface TencentPlanInit extends TencentCallbackInit {
  readonly key: string;
  readonly genuine: boolean;
  /** The token to sign with; the builder's `token` is ignored so that every attempt is signed afresh. */
  readonly token: string;
}

export async function planTencentCallback(init: TencentPlanInit): Promise<PlannedCallback> {
  const { key, genuine, requestTime, ...callbackInit } = init;
  const build = () => buildTencentCallback({ ...callbackInit, requestTime: requestTime ?? Math.floor(Date.now() / 1000) });
  const expected = await expectedEventsOf("tencent", build());
  return { key, route: "tencent", genuine, build, ...expected };
}
