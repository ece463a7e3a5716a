export * from "./redis-sink";
export * from "./redis-sink-options";
export type { EventTemplate } from "./event-template";
