export * from "./http-sink";
export * from "./http-sink-options";
export * from "./verify-standard-webhook";
export { signStandardWebhook, type StandardWebhookMessage } from "./standard-webhook-signature";
export {
  cloudEventOf,
  defaultCloudEventSource,
  type CloudEventSource,
  type FriendCloudEvent,
  type StandardWebhookPayload,
  type WebhookFormat,
} from "./webhook-payload";
