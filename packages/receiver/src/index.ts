export * from "./receiver";
export * from "./receiver-options";
export * from "./receiver-logger";
export * from "./receiver-observer";
export * from "./read-request-body";
export * from "./delivery/retry-schedule";
export * from "./body-budget";
export * from "./callback-intake";
