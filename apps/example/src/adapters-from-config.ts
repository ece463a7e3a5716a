import type { ProviderAdapterV1 } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createOpenImAdapter } from "@friendhook/openim";
import { createTencentAdapter } from "@friendhook/tencent";
import type { Configuration } from "./config/configuration";

/** The providers this app can receive: the setting that turns each on, and its webhook route. */
export const providers = [
  { name: "easemob", title: "Easemob", requiredVariable: "EASEMOB_SECRET", route: "/webhooks/easemob" },
  { name: "tencent", title: "Tencent IM", requiredVariable: "TENCENT_SDKAPPID", route: "/webhooks/tencent" },
  // OpenIM posts every callback to `{webhook url}/{callbackCommand}`; the adapter checks the command.
  { name: "openim", title: "OpenIM", requiredVariable: "OPENIM_ENABLED=true", route: "/webhooks/openim{/*command}" },
] as const;

export type ProviderName = (typeof providers)[number]["name"];

/** One adapter per configured provider, named by its route (`/webhooks/<name>`). */
export function adaptersFromConfiguration(configuration: Configuration): Partial<Record<ProviderName, ProviderAdapterV1>> {
  const { easemob, tencent, openim } = configuration;
  return {
    ...(easemob && {
      easemob: createEasemobAdapter({
        secrets: [...easemob.secrets],
        ...(easemob.appKeys && { appKeys: [...easemob.appKeys] }),
        ...(easemob.maximumAgeSeconds !== undefined && { maximumAgeSeconds: easemob.maximumAgeSeconds }),
        ...(easemob.maximumEventsPerCallback !== undefined && { maximumEventsPerCallback: easemob.maximumEventsPerCallback }),
      }),
    }),
    ...(tencent && {
      tencent: createTencentAdapter({
        sdkAppIds: [...tencent.sdkAppIds],
        ...(tencent.token && { token: tencent.token }),
        ...(tencent.maximumClockSkewSeconds !== undefined && { maximumClockSkewSeconds: tencent.maximumClockSkewSeconds }),
      }),
    }),
    // No policy is configured: friend requests are allowed, as OpenIM itself would.
    ...(openim && {
      openim: createOpenImAdapter({ appId: openim.appId, ...(openim.tokens && { token: [...openim.tokens] }) }),
    }),
  };
}
