export * from "./adapter-conformance";
export * from "./friend-table-ordering";
export * from "./sink-conformance";
export * from "./hostile-bodies";
export * from "./sample-events";
export * from "./services";
export * from "./store-conformance";
export * from "./tcp-proxy";
