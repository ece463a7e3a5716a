export * from "./sqlite-store";
export * from "./sqlite-store-options";
export { schemaVersion } from "./migrations";
