import type { ProviderAdapterV1 } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createTencentAdapter } from "@friendhook/tencent";
import { benchCredentials } from "../../payloads/bench-credentials";

/** The adapters a receiver under load is given: both providers, authentication on. */
export function benchAdapters(): Record<string, ProviderAdapterV1> {
  return {
    tencent: createTencentAdapter({ sdkAppIds: [benchCredentials.tencentSdkAppId], token: benchCredentials.tencentToken }),
    easemob: createEasemobAdapter({ secret: benchCredentials.easemobSecret, appKeys: [benchCredentials.easemobAppKey] }),
  };
}
