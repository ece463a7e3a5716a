export * from "./node-handler";
export * from "./read-request-body";
