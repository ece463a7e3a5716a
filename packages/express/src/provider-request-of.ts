import type { ProviderRequest } from "@friendhook/core";
import type { Request } from "express";

/** The framework-neutral request: path and query from the URL as sent (not as a router rewrote them). */
export function providerRequestOf(request: Request, body: Uint8Array, receivedAt: Date): ProviderRequest {
  const url = new URL(request.originalUrl, "http://receiver.invalid");
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { method: request.method.toUpperCase(), path: url.pathname, query: url.searchParams, headers, body, receivedAt };
}
