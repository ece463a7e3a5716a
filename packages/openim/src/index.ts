// The documented API only (README, "API"); the rest of src/ is the adapter's own.
export { createOpenImAdapter } from "./openim-adapter";
export {
  type OpenImAdapterOptions,
  type OpenImAdapterSettings,
  defaultDecisionDeadlineMs,
  defaultDenialErrorCode,
  defaultMaximumEventsPerCallback,
  defaultOpenImAppId,
} from "./openim-options";
export { openImProvider } from "./openim-provider";
export { type OpenImCommand, openImCommands } from "./openim-callback-schemas";
export {
  type BlacklistFields,
  type FriendAnswerFields,
  type FriendRequestFields,
  type ImportFields,
  type OpenImCallbackRequestInit,
  type OwnerAndFriendFields,
  type RemarkFields,
  encodeLikeOpenIm,
  openImCallbackBodies,
  openImCallbackRequest,
} from "./openim-test-callbacks";
export { openImDescriptor } from "./openim-descriptor";
