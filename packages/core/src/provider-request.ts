/**
 * One HTTP callback as a provider sent it, before anything interpreted it. Framework shells build
 * this from their own request object; adapters never see a framework type.
 */
export interface ProviderRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path the callback was sent to, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received. Signatures and ids are computed from these bytes, never from a re-serialization. */
  readonly body: Uint8Array;
  /** When the receiver read the request; it becomes every event's `receivedAt`. */
  readonly receivedAt: Date;
}

/** A `ProviderRequest` before its body is read: what `ProviderAdapterV1.authenticateHead` sees. */
export type ProviderRequestHead = Omit<ProviderRequest, "body">;

/** What a receiver writes back to the provider. */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What `createProviderRequest` takes. Every optional field also takes `undefined` (a framework's
 * `request.method` or `request.headers["content-type"]` may be undefined), which means the default.
 */
export interface ProviderRequestInit {
  /** `POST` by default. */
  method?: string | undefined;
  /**
   * `/` by default. A query string in it (Node's `request.url` has one) is moved to `query`, before
   * the parameters given there.
   */
  path?: string | undefined;
  query?: URLSearchParams | Record<string, string> | string | undefined;
  /** `content-type: application/json` by default. */
  headers?: Record<string, string | undefined> | undefined;
  body: Uint8Array | string;
  /** Now by default. */
  receivedAt?: Date | undefined;
}

/** Builds a `ProviderRequest` with sensible defaults: for shells, tests and signed-callback builders. */
export function createProviderRequest(init: ProviderRequestInit): ProviderRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(init.headers ?? { "content-type": "application/json" })) {
    headers[name.toLowerCase()] = value;
  }
  const [path = "/", pathQuery = ""] = (init.path ?? "/").split(/\?(.*)/s, 2);
  const query = new URLSearchParams(pathQuery);
  for (const [name, value] of new URLSearchParams(init.query ?? "")) query.append(name, value);
  return {
    method: (init.method ?? "POST").toUpperCase(),
    path: path === "" ? "/" : path,
    query,
    headers,
    body: typeof init.body === "string" ? new TextEncoder().encode(init.body) : init.body,
    receivedAt: init.receivedAt ?? new Date(),
  };
}
