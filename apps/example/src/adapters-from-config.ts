import type { ProviderAdapterV1 } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createTencentAdapter } from "@friendhook/tencent";
import type { Configuration } from "./config/configuration";

/** The providers this app can receive, with the variable that turns each on. */
export const providers = [
  { name: "easemob", title: "Easemob", requiredVariable: "EASEMOB_SECRET" },
  { name: "tencent", title: "Tencent IM", requiredVariable: "TENCENT_SDKAPPID" },
] as const;

export type ProviderName = (typeof providers)[number]["name"];

/** One adapter per configured provider, named by its route (`/webhooks/<name>`). */
export function adaptersFromConfiguration(configuration: Configuration): Partial<Record<ProviderName, ProviderAdapterV1>> {
  const { easemob, tencent } = configuration;
  return {
    ...(easemob && {
      easemob: createEasemobAdapter({ secrets: [...easemob.secrets], ...(easemob.appKeys && { appKeys: [...easemob.appKeys] }) }),
    }),
    ...(tencent && {
      tencent: createTencentAdapter({ sdkAppIds: [...tencent.sdkAppIds], ...(tencent.token && { token: tencent.token }) }),
    }),
  };
}
