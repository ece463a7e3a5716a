export { createTencentAdapter } from "./tencent-adapter";
export {
  type TencentAdapterSettings,
  TencentAdapterSettingsSchema,
  defaultDecisionDeadlineMs,
  defaultMaximumClockSkewSeconds,
  defaultMaximumEventsPerCallback,
  tencentCallbackTimeoutMs,
} from "./tencent-settings";
export {
  type TencentCallback,
  type TencentCommand,
  type TencentFriendAddCallback,
  type TencentPair,
  type TencentPairListCallback,
  type TencentPrevFriendAddCallback,
  type TencentPrevFriendResponseCallback,
  TencentBlackListAddCallbackSchema,
  TencentBlackListDeleteCallbackSchema,
  TencentFriendAddCallbackSchema,
  TencentFriendDeleteCallbackSchema,
  TencentPrevFriendAddCallbackSchema,
  TencentPrevFriendResponseCallbackSchema,
  isRelationshipCommand,
  isTencentCommand,
  parseTencentCallback,
  tencentCallbackSchemas,
  tencentCommands,
} from "./tencent-callback-schemas";
export { type TencentSignatureCheck, signTencentRequest, verifyTencentSignature } from "./tencent-signature";
export { tencentProvider } from "./tencent-events";
export {
  type TencentResultItem,
  defaultTencentDenialCode,
  isTencentDenialCode,
  tencentDenialCodeRange,
} from "./tencent-decisions";
export { tencentAcknowledgement, tencentRefusal } from "./tencent-acknowledgement";
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
