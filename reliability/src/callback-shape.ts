import type { ProviderRequest } from "@friendhook/core";
import type { RawRequest } from "./http-client";
import { type JsonTree, jsonTextOf, jsonTreeOf } from "./json-members";

/** The app's three webhook routes. */
export type ProviderRoute = "easemob" | "tencent" | "openim";

/**
 * A callback request as a sender writes it, every part open to change: query parameters and
 * headers in order and possibly repeated, the body as a JSON tree (members may repeat) or as bytes.
 */
export interface CallbackShape {
  readonly route: ProviderRoute;
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The query's parameters as written, percent-encoding included; `undefined` for a name without `=`. */
  readonly query: ReadonlyArray<readonly [string, string | undefined]>;
  /** Header lines in order; a name may repeat. Names in lower case, values printable ASCII. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: JsonTree | Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A builder's request (`buildEasemobCallback`, `buildTencentCallback`, `openImCallbackRequest`) as a shape. */
export function callbackShapeOf(route: ProviderRoute, request: ProviderRequest, path: string): CallbackShape {
  let body: JsonTree | Uint8Array = request.body;
  try {
    body = jsonTreeOf(JSON.parse(utf8.decode(request.body)));
  } catch {
    // Not JSON: the bytes as they are.
  }
  const query = [...request.query].map(([name, value]): [string, string] => {
    const [encodedName = "", encodedValue = ""] = new URLSearchParams([[name, value]]).toString().split("=");
    return [encodedName, encodedValue];
  });
  const headers = Object.entries(request.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name.toLowerCase(), value] as const]));
  return { route, method: request.method, path, query, headers, body };
}

export function bodyBytesOf(shape: CallbackShape): Uint8Array {
  return shape.body instanceof Uint8Array ? shape.body : new TextEncoder().encode(jsonTextOf(shape.body));
}

/** The path and query as written. */
export function targetOf(shape: CallbackShape): string {
  const query = shape.query.map(([name, value]) => (value === undefined ? name : `${name}=${value}`)).join("&");
  return query === "" ? shape.path : `${shape.path}?${query}`;
}

/** The request `sendRaw` sends for a shape: a repeated header goes out as one line per value. */
export function rawRequestOf(shape: CallbackShape): RawRequest {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of shape.headers) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return { method: shape.method, path: targetOf(shape), headers, body: bodyBytesOf(shape) };
}

// Node's HTTP server keeps the first of these when a request repeats them, and joins the others.
const firstValueOnly = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host", "if-modified-since",
  "if-unmodified-since", "last-modified", "location", "max-forwards", "proxy-authorization", "referer", "retry-after",
  "server", "user-agent",
]);

/**
 * The request as the app's Express shell hands it to the receiver: the URL as the client sent it
 * (after the WHATWG URL parser of `sendRaw`), the query parsed by `URLSearchParams`, repeated headers
 * merged as Node merges them.
 */
export function providerRequestOf(shape: CallbackShape, receivedAt: Date = new Date()): ProviderRequest {
  const sent = new URL(targetOf(shape), "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [name, written] of shape.headers) {
    // The parser drops the whitespace around a header's value.
    const value = written.replace(/^[ \t]+|[ \t]+$/g, "");
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else if (!firstValueOnly.has(name)) headers[name] = `${existing}, ${value}`;
  }
  headers["content-length"] ??= String(bodyBytesOf(shape).byteLength);
  return {
    method: shape.method.toUpperCase(),
    path: sent.pathname,
    query: new URLSearchParams(sent.search.slice(1)),
    headers,
    body: bodyBytesOf(shape),
    receivedAt,
  };
}

/** A request written for `sendRaw` as a shape, its body as bytes, for `expectedAnswer`. */
export function callbackShapeOfRaw(route: ProviderRoute, raw: RawRequest): CallbackShape {
  const [path = "/", query = ""] = raw.path.split(/\?(.*)/s, 2);
  const headers = Object.entries(raw.headers ?? {}).flatMap(([name, value]) =>
    (typeof value === "string" ? [value] : value).map((each) => [name.toLowerCase(), each] as const),
  );
  return {
    route,
    method: raw.method ?? "POST",
    path,
    query: query === "" ? [] : query.split("&").map((pair) => {
      const separator = pair.indexOf("=");
      return separator < 0 ? [pair, undefined] : [pair.slice(0, separator), pair.slice(separator + 1)];
    }),
    headers,
    body: typeof raw.body === "string" ? new TextEncoder().encode(raw.body) : (raw.body ?? new Uint8Array()),
  };
}
