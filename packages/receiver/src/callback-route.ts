import { FriendhookError, parseOptions, type ProviderResponse } from "@friendhook/core";
import { z } from "zod";
import { defaultBodyLimitBytes, defaultBodyTimeoutMs } from "./body-limits";
import type { Receiver } from "./receiver";

export const defaultPathPrefix = "/webhooks";

export const CallbackHandlerOptionsSchema = z.strictObject({
  /**
   * Where the callback routes start: `POST {pathPrefix}/{adapter name}`, and one more path segment
   * for a provider that appends one (OpenIM appends the callback's command). `/webhooks` by default;
   * `""` for routes at the root. Not with `adapter`.
   */
  pathPrefix: z
    .string()
    .regex(/^(?:\/[^/?#]+)*$/, 'a path prefix starts with "/" and does not end with one ("/webhooks"), or is ""')
    .optional(),
  /**
   * Serve this one adapter (a key of the receiver's `adapters`) whatever the path: for a framework
   * that routes the request itself (`app.post("/callbacks/easemob", …)`). Not with `pathPrefix`.
   */
  adapter: z.string().min(1, "name the adapter this handler serves").optional(),
  /**
   * The largest accepted body; larger ones get 413 `body_too_large`. 1 MiB by default, or the
   * receiver's `maximumBodyBytesInFlight` when that is smaller; never more than it.
   */
  bodyLimitBytes: z.int().min(1).optional(),
  /** The whole body must arrive within this time, or the client gets 408 `request_timeout`. */
  bodyTimeoutMs: z.int().min(1).default(defaultBodyTimeoutMs),
});

/** The options of `createFetchHandler` and `createNodeHandler` (and the Express middleware). */
export type CallbackHandlerOptions = z.input<typeof CallbackHandlerOptionsSchema>;

/** A handler's options, checked against its receiver. */
export interface CallbackHandlerSettings {
  readonly bodyLimitBytes: number;
  readonly bodyTimeoutMs: number;
  /** The adapter a request's path routes to; undefined when the path is none of this handler's routes. */
  routeOf(pathname: string): string | undefined;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Checks a handler's options at construction: strict keys, an adapter the receiver has, and a body
 * limit within the receiver's budget of bytes in flight (else a body of the limit could never be read).
 */
export function resolveCallbackHandlerOptions(receiver: Receiver, options: CallbackHandlerOptions, subject: string): CallbackHandlerSettings {
  const { adapter, pathPrefix, bodyTimeoutMs, ...limit } = parseOptions(CallbackHandlerOptionsSchema, options, subject);
  const bodyLimitBytes = limit.bodyLimitBytes ?? Math.min(defaultBodyLimitBytes, receiver.bodyBudget.maximumBytes);
  if (adapter !== undefined && pathPrefix !== undefined) {
    throw new FriendhookError("misconfigured", `Invalid ${subject} options: give adapter (one route) or pathPrefix (a route per adapter), not both.`);
  }
  if (adapter !== undefined && !receiver.adapterNames.includes(adapter)) {
    throw new FriendhookError("misconfigured", `The receiver has no adapter named "${adapter}" (configured: ${receiver.adapterNames.join(", ")}).`);
  }
  if (bodyLimitBytes > receiver.bodyBudget.maximumBytes) {
    throw new FriendhookError(
      "misconfigured",
      `bodyLimitBytes (${bodyLimitBytes}) is larger than the receiver's maximumBodyBytesInFlight (${receiver.bodyBudget.maximumBytes}): a body of the limit could never be read.`,
    );
  }
  const prefix = `${pathPrefix ?? defaultPathPrefix}/`;
  const adapterNames = new Set(receiver.adapterNames);
  const routeOf = (pathname: string): string | undefined => {
    if (!pathname.startsWith(prefix)) return undefined;
    // `{adapter}`, or `{adapter}/{one segment}`, which the adapter checks (OpenIM: the command).
    const [name = "", , ...more] = pathname.slice(prefix.length).split("/");
    if (more.length > 0) return undefined;
    const adapterName = decoded(name);
    return adapterName !== undefined && adapterNames.has(adapterName) ? adapterName : undefined;
  };
  return { bodyLimitBytes, bodyTimeoutMs, routeOf: adapter === undefined ? routeOf : () => adapter };
}

/** The answer for a path that is none of a handler's routes: 404 `route_not_found`, as JSON. */
export function routeNotFound(method: string, pathname: string): ProviderResponse {
  const error = new FriendhookError("route_not_found", `No callback route for ${method.slice(0, 10)} ${pathname.slice(0, 100)}.`);
  return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify(error) };
}
