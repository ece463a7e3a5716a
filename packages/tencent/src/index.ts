// The documented API only (README, "API"); the rest of src/ is the adapter's own.
export { createTencentAdapter } from "./tencent-adapter";
export {
  type TencentAdapterOptions,
  type TencentAdapterSettings,
  defaultDecisionDeadlineMs,
  defaultMaximumClockSkewSeconds,
  defaultMaximumEventsPerCallback,
  tencentCallbackTimeoutMs,
} from "./tencent-options";
export { tencentProvider } from "./tencent-provider";
export { type TencentCommand, parseTencentCallback, tencentCommands } from "./tencent-callback-schemas";
export { signTencentRequest } from "./tencent-authentication";
export { defaultTencentDenialCode, tencentDenialCodeRange } from "./tencent-decisions";
export {
  type TencentCallbackInit,
  type TencentFriendAddFields,
  type TencentFriendRequestItemFields,
  type TencentFriendResponseItemFields,
  type TencentPairFields,
  type TencentPairListFields,
  type TencentPrevFriendAddFields,
  type TencentPrevFriendResponseFields,
  type TencentTrafficFields,
  buildTencentCallback,
  tencentCallbackBodies,
} from "./tencent-test-callbacks";
export { tencentDescriptor } from "./tencent-descriptor";
