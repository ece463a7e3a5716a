// The documented API only (README, "API"); the rest of src/ is the adapter's own.
export { createEasemobAdapter } from "./easemob-adapter";
export {
  type EasemobAdapterOptions,
  type EasemobAdapterSettings,
  defaultMaximumAgeSeconds,
  defaultMaximumEventsPerCallback,
} from "./easemob-options";
export { easemobProvider } from "./easemob-provider";
export { type EasemobRosterOperation, easemobRosterOperations } from "./easemob-events";
export { type EasemobSignedFields, signEasemobCallback } from "./easemob-authentication";
export { type EasemobCallbackInit, buildEasemobCallback } from "./easemob-test-callbacks";
export { easemobDescriptor } from "./easemob-descriptor";
