/**
 * The stable codes of this app's own HTTP API (the read API, unknown routes, unexpected failures).
 * Webhook answers use the `FriendhookError` codes of `@friendhook/core` instead.
 */
export const apiErrorStatuses = {
  /** A query parameter is missing, repeated, unknown or out of range. */
  invalid_query: 400,
  /** A request body where the route takes its parameters from the query string alone. */
  invalid_body: 400,
  /** A range of sequences that ends before it starts. */
  invalid_range: 400,
  /** No `Authorization: Bearer` token, or not one of the configured tokens. */
  unauthorized: 401,
  /** A change requested by a page of another site (`Sec-Fetch-Site`), which no operator sends. */
  cross_site_request: 403,
  /** No route has this method and path. */
  not_found: 404,
  /** A sink name the configuration does not have. */
  unknown_sink: 404,
  /** A change requested without `Content-Type: application/json`, as a cross-site form or `text/plain` post would be. */
  unsupported_media_type: 415,
  /** The store cannot be read (during shutdown, for example). */
  unavailable: 503,
  /** Anything unexpected; details go to the log, never to the client. */
  internal_error: 500,
} as const;

export type ApiErrorCode = keyof typeof apiErrorStatuses;

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: ApiErrorCode;
  readonly status: number;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = apiErrorStatuses[code];
  }

  toJSON(): { error: { code: ApiErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
