export * from "./nats-sink";
export * from "./nats-sink-options";
export { encodeSubjectToken, type SubjectTemplate } from "./subject";
