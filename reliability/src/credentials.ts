/**
 * The credentials every test gives the app. They are distinctive on purpose: a leak into a log line
 * or an answer is then found by a plain substring search.
 */
export const reliabilityCredentials = {
  easemobSecrets: ["rel-easemob-secret-7Qx2vK9pWm", "rel-easemob-rotated-Hc5Tz0yLe"],
  easemobAppKeys: ["reliability#proof", "reliability#shuffled"],
  tencentSdkAppIds: ["1400000042", "1400000043"],
  tencentToken: "rel-tencent-token-M4n8Zc1wQa",
} as const;

export type ReliabilityCredentials = typeof reliabilityCredentials;

/** The environment variables that configure both providers with `reliabilityCredentials`. */
export function providerVariables(credentials: ReliabilityCredentials = reliabilityCredentials): Record<string, string> {
  return {
    EASEMOB_SECRET: credentials.easemobSecrets.join(","),
    EASEMOB_APPKEY: credentials.easemobAppKeys.join(","),
    TENCENT_SDKAPPID: credentials.tencentSdkAppIds.join(","),
    TENCENT_TOKEN: credentials.tencentToken,
  };
}

/** Every secret string the app is given: none may ever appear in its output or its answers. */
export function secretStrings(credentials: ReliabilityCredentials = reliabilityCredentials): string[] {
  return [...credentials.easemobSecrets, credentials.tencentToken];
}
