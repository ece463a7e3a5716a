/**
 * Every error friendhook raises carries one of these codes. Codes are stable: match on them, not on
 * messages. Each has the HTTP status a receiver answers with.
 */
export const errorStatuses = {
  /** The body was not valid JSON, not UTF-8, or not an object. */
  malformed_body: 400,
  /** The JSON was valid, but fields the provider always sends are missing or of the wrong type. */
  invalid_payload: 400,
  /** The command named in the query and the one in the body disagree. */
  command_mismatch: 400,
  /** The adapter does not handle this command and cannot acknowledge it either. */
  unsupported_command: 400,
  /** A signature was expected and is absent. */
  missing_signature: 401,
  /** The signature does not match any configured secret. */
  invalid_signature: 401,
  /** The signed timestamp lies outside the accepted window (a replay, or a clock far off). */
  stale_request: 401,
  /** A signature seen before arrived with a body it does not cover (see `CallbackBinding`). */
  signature_reused: 401,
  /** The callback is for an app this receiver is not configured for. */
  app_mismatch: 403,
  /** No callback route matches the request's path (a handler that routes by path answers it). */
  route_not_found: 404,
  /** Callbacks arrive by POST only. */
  method_not_allowed: 405,
  /** The body is larger than the configured limit. */
  body_too_large: 413,
  /** The callback would make more events than the adapter's `maximumEventsPerCallback`. */
  too_many_events: 413,
  /** The content type cannot carry JSON. */
  unsupported_media_type: 415,
  /** The client sent the body too slowly, or stopped sending it. */
  request_timeout: 408,
  /** The receiver has no credentials for this provider. */
  provider_not_configured: 503,
  /** The store could not persist the events; the provider should retry. */
  store_unavailable: 503,
  /** The receiver holds as many request bodies as its memory budget allows; the provider should retry shortly. */
  receiver_busy: 503,
  /** The integration is wired wrongly (for example, the raw body was consumed by another parser). */
  misconfigured: 500,
} as const;

export type FriendhookErrorCode = keyof typeof errorStatuses;

export const friendhookErrorCodes = Object.keys(errorStatuses) as FriendhookErrorCode[];

export function statusForErrorCode(code: FriendhookErrorCode): number {
  return errorStatuses[code];
}
