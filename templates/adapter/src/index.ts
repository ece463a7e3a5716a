// The documented API only (README, "API"); the rest of src/ is the adapter's own.
export { create__Name__Adapter } from "./__name__-adapter";
export { type __Name__AdapterOptions, defaultMaximumClockSkewSeconds, defaultMaximumEventsPerCallback } from "./__name__-options";
export { __nameCamel__Provider } from "./__name__-provider";
export { type Signed__Name__RequestInit, signed__Name__Request } from "./__name__-test-callbacks";
export { __nameCamel__Descriptor } from "./__name__-descriptor";
