export * from "./postgres-sink";
export * from "./postgres-store";
export * from "./postgres-options";
export type { TableNames } from "./table-names";
export { migrations, type Migration } from "./migrations";
