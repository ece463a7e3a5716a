/**
 * The credentials every benchmark server and payload shares. They protect nothing: the servers
 * listen on 127.0.0.1 for the length of a run.
 */
export const benchCredentials = {
  tencentSdkAppId: "1400000001",
  tencentToken: "bench-token-7f3a9c",
  easemobSecret: "bench-secret-51d2e8",
  easemobAppKey: "1112220101#bench",
} as const;

/** The route every benchmark server answers, whatever it is built with. */
export const tencentCallbackPath = "/webhooks/tencent";
