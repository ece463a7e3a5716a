export * from "./helpers";
export * from "./adapter-conformance";
export * from "./friend-table-ordering";
export * from "./sink-conformance";
export * from "./store-conformance";
export * from "./services";
