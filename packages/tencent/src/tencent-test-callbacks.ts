import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { signTencentRequest } from "./tencent-signature";

export interface TencentCallbackInit {
  readonly sdkAppId: string;
  /** The `CallbackCommand`, put in the URL (the body carries its own). */
  readonly command: string;
  /** The body: an object is serialized as JSON; a string or bytes are sent as they are. */
  readonly body: Record<string, unknown> | string | Uint8Array;
  /** When given, the URL carries `Sign` and `RequestTime` as Tencent sends them with authentication on. */
  readonly token?: string;
  /** Unix seconds; now by default. */
  readonly requestTime?: number;
  readonly clientIp?: string;
  readonly optPlatform?: string;
  readonly receivedAt?: Date;
  readonly path?: string;
}

/**
 * Builds a callback as Tencent sends it (`?SdkAppid=…&CallbackCommand=…&contenttype=json…`), signed
 * when a token is given: for tests of an application's receiver.
 */
export function buildTencentCallback(init: TencentCallbackInit): ProviderRequest {
  const query = new URLSearchParams({ SdkAppid: init.sdkAppId, CallbackCommand: init.command, contenttype: "json" });
  if (init.clientIp !== undefined) query.set("ClientIP", init.clientIp);
  if (init.optPlatform !== undefined) query.set("OptPlatform", init.optPlatform);
  if (init.token !== undefined) {
    const requestTime = init.requestTime ?? Math.floor(Date.now() / 1000);
    query.set("Sign", signTencentRequest(init.token, requestTime));
    query.set("RequestTime", String(requestTime));
  }
  const body =
    typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : JSON.stringify(init.body);
  return createProviderRequest({
    method: "POST",
    path: init.path ?? "/",
    query,
    headers: { "content-type": "application/json" },
    body,
    ...(init.receivedAt === undefined ? {} : { receivedAt: init.receivedAt }),
  });
}
