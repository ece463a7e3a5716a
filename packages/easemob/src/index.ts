export { createEasemobAdapter } from "./easemob-adapter";
export type { EasemobAdapterSettings } from "./easemob-settings";
export { type EasemobRosterOperation, easemobRosterOperations } from "./easemob-events";
export { type EasemobSignedFields, signEasemobCallback } from "./easemob-signature";
export { type EasemobCallbackInit, buildEasemobCallback } from "./easemob-test-callbacks";
export { easemobDescriptor } from "./easemob-descriptor";
