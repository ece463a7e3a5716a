import type { ProviderRequestHead } from "@friendhook/core";
import { answerCallback, type CallbackAnswer } from "./callback-intake";
import { type CallbackHandlerOptions, resolveCallbackHandlerOptions, routeNotFound } from "./callback-route";
import { bodyAlreadyRead, readBodyStream } from "./read-body-stream";
import type { Receiver } from "./receiver";

/** A Web-standard request handler: what Next.js route handlers, Hono, Bun, Deno and Workers take. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Statuses whose response has no body, which `new Response` refuses one for. */
const nullBodyStatuses: ReadonlySet<number> = new Set([101, 204, 205, 304]);

function headOf(request: Request, url: URL, receivedAt: Date): ProviderRequestHead {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: request.method.toUpperCase(), path: url.pathname, query: url.searchParams, headers, receivedAt };
}

function responseOf({ response, closeConnection }: CallbackAnswer): Response {
  const headers = closeConnection ? { ...response.headers, connection: "close" } : response.headers;
  return new Response(nullBodyStatuses.has(response.status) ? null : response.body, { status: response.status, headers });
}

/**
 * The receiver as a Web-standard handler, `(request: Request) => Promise<Response>`. It routes
 * `POST {pathPrefix}/{adapter name}` (and one more segment, which OpenIM appends) to the adapter,
 * answers 404 `route_not_found` for any other path, and otherwise does what every shell does
 * (`answerCallback`): the head checks before the body is read (405 for another method), the body
 * read within the limit, the deadline and the receiver's budget of bytes in flight, then `handle`.
 * It never throws.
 */
export function createFetchHandler(receiver: Receiver, options: CallbackHandlerOptions = {}): FetchHandler {
  const settings = resolveCallbackHandlerOptions(receiver, options, "fetch handler");
  return async (request) => {
    const receivedAt = new Date();
    const url = new URL(request.url, "http://receiver.invalid");
    const adapterName = settings.routeOf(url.pathname);
    if (adapterName === undefined) return responseOf({ response: routeNotFound(request.method, url.pathname), closeConnection: false });
    const answer = await answerCallback(receiver, adapterName, {
      head: headOf(request, url, receivedAt),
      readBody: async (lease) => {
        if (request.bodyUsed) throw bodyAlreadyRead();
        return readBodyStream(request.body, {
          limitBytes: settings.bodyLimitBytes,
          timeoutMs: settings.bodyTimeoutMs,
          contentLength: request.headers.get("content-length") ?? undefined,
          lease,
        });
      },
    });
    return responseOf(answer);
  };
}
