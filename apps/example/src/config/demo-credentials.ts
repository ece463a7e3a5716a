/**
 * The credentials of the committed `.env.development`. They exist so that `pnpm start` (a start
 * with `--demo`) and `pnpm simulate` work on a fresh clone; anyone can read them, so no other start
 * reads the file and a production start refuses them. A test keeps this list and the file in agreement.
 */
export const demoCredentials = {
  easemobSecret: "demo-easemob-secret-DEMO-ONLY",
  easemobAppKey: "demo-org#demo-app",
  tencentSdkAppId: "1400000000",
  tencentToken: "demo-tencent-token-DEMO-ONLY",
  openImToken: "demo-openim-token-DEMO-ONLY",
} as const;
