// The helpers that need no test runner: `@friendhook/testkit/helpers`, for CommonJS too.
export * from "./hostile-bodies";
export * from "./sample-events";
export * from "./service-availability";
export * from "./tcp-proxy";
export * from "./listen";
export * from "./refusals";
