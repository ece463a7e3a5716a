/**
 * The credentials every test gives the app. They are distinctive on purpose: a leak into a log line
 * or an answer is then found by a plain substring search.
 */
export const reliabilityCredentials = {
  easemobSecrets: ["rel-easemob-secret-7Qx2vK9pWm", "rel-easemob-rotated-Hc5Tz0yLe"],
  easemobAppKeys: ["reliability#proof", "reliability#shuffled"],
  tencentSdkAppIds: ["1400000042", "1400000043"],
  tencentToken: "rel-tencent-token-M4n8Zc1wQa",
  /** The token OpenIM callbacks present (`OPENIM_TOKEN`), for the tests that turn OpenIM on. */
  openImToken: "rel-openim-token-Jw6Fd2Ry8Pk",
  /** The Standard Webhooks secret the app's HTTP sink signs with (`whsec_` and a 31-byte key in base64). */
  webhookSecret: "whsec_cmVsLXdlYmhvb2sta2V5LTVYcTlMdjJOYzdSazFUeg==",
  /** The bearer token of the app's read API (`FRIENDHOOK_API_TOKEN`), which every app process is given. */
  apiToken: "rel-api-token-Vq3Ns8Kd1Xw6Jt4",
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

/** The variables that turn OpenIM on, with `reliabilityCredentials.openImToken`. */
export function openImVariables(credentials: ReliabilityCredentials = reliabilityCredentials): Record<string, string> {
  return { OPENIM_ENABLED: "true", OPENIM_TOKEN: credentials.openImToken };
}

/** Every secret string the app is given: none may ever appear in its output or its answers. */
export function secretStrings(credentials: ReliabilityCredentials = reliabilityCredentials): string[] {
  const webhookKey = credentials.webhookSecret.slice("whsec_".length);
  return [
    ...credentials.easemobSecrets,
    credentials.tencentToken,
    credentials.webhookSecret,
    webhookKey,
    Buffer.from(webhookKey, "base64").toString("latin1"),
    credentials.apiToken,
  ];
}

/** The header that opens the app's read API. */
export function apiHeaders(credentials: ReliabilityCredentials = reliabilityCredentials): Record<string, string> {
  return { authorization: `Bearer ${credentials.apiToken}` };
}

/** The variables that make the app forward every event to `url` as signed Standard Webhooks. */
export function httpSinkVariables(url: string, credentials: ReliabilityCredentials = reliabilityCredentials): Record<string, string> {
  return { FRIENDHOOK_SINKS: url, FRIENDHOOK_HTTP_SINK_SECRET: credentials.webhookSecret };
}
