import type { IncomingMessage } from "node:http";
import type { ProviderRequestHead } from "@friendhook/core";

// A path the WHATWG URL parser returns unchanged: no percent-encoding, backslash or character it
// would escape, not starting with `//`, and (checked apart) no `.` or `..` segment it would resolve.
const plainPath = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;
const dotSegment = /(?:^|\/)\.\.?(?:\/|$)/;

/** The path as the URL parser would give it, without running the parser on the common, plain path. */
function pathOf(rawPath: string): string {
  if (plainPath.test(rawPath) && !dotSegment.test(rawPath)) return rawPath;
  return new URL(rawPath, "http://receiver.invalid").pathname;
}

/** `request.url` split into the path (as the URL parser gives it) and the query. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const queryStart = url.indexOf("?");
  return {
    path: pathOf(queryStart === -1 ? url : url.slice(0, queryStart)),
    query: new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1)),
  };
}

/**
 * The framework-neutral request head: path and query from the URL as sent. Under a router that
 * rewrites `request.url` for what it mounts (Express, Connect), that is `originalUrl`.
 */
export function requestHeadOf(request: IncomingMessage, receivedAt: Date): ProviderRequestHead {
  const { path, query } = splitUrl((request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? "/");
  // Node has already lower-cased the names; only `set-cookie` comes as an array.
  const headers: Record<string, string | undefined> = {};
  const incoming = request.headers;
  for (const name in incoming) {
    const value = incoming[name];
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { method: (request.method ?? "GET").toUpperCase(), path, query, headers, receivedAt };
}
