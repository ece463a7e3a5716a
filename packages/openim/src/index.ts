export * from "./openim-adapter";
export * from "./openim-settings";
export * from "./openim-callback-schemas";
export * from "./openim-events";
export * from "./openim-decisions";
export * from "./openim-acknowledgement";
export * from "./openim-authentication";
export * from "./openim-test-callbacks";
