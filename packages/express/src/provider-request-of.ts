import type { ProviderRequestHead } from "@friendhook/core";
import type { Request } from "express";

// A path the WHATWG URL parser returns unchanged: no percent-encoding, backslash or character it
// would escape, not starting with `//`, and (checked apart) no `.` or `..` segment it would resolve.
const plainPath = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;
const dotSegment = /(?:^|\/)\.\.?(?:\/|$)/;

/** The path as the URL parser would give it, without running the parser on the common, plain path. */
function pathOf(rawPath: string): string {
  if (plainPath.test(rawPath) && !dotSegment.test(rawPath)) return rawPath;
  return new URL(rawPath, "http://receiver.invalid").pathname;
}

/** The framework-neutral request head: path and query from the URL as sent (not as a router rewrote them). */
export function providerRequestHeadOf(request: Request, receivedAt: Date): ProviderRequestHead {
  const url = request.originalUrl;
  const queryStart = url.indexOf("?");
  const path = pathOf(queryStart === -1 ? url : url.slice(0, queryStart));
  const query = new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1));
  // Node has already lower-cased the names; only `set-cookie` comes as an array.
  const headers: Record<string, string | undefined> = {};
  const incoming = request.headers;
  for (const name in incoming) {
    const value = incoming[name];
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { method: request.method.toUpperCase(), path, query, headers, receivedAt };
}
