import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProviderResponse } from "@friendhook/core";
import { answerCallback } from "../callback-intake";
import { type CallbackHandlerOptions, resolveCallbackHandlerOptions, routeNotFound } from "../callback-route";
import type { Receiver } from "../receiver";
import { readRawBody } from "./raw-body";
import { requestHeadOf, splitUrl } from "./request-head";

/**
 * A `node:http` request listener, and a Connect or Express middleware: with `next`, a request for
 * none of its routes goes on to `next()`; without, it is answered 404.
 */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;

function send(response: ServerResponse, answer: ProviderResponse, closeConnection: boolean): void {
  // Another handler already answered (a timeout middleware, say): nothing more can be sent.
  if (response.headersSent) return;
  // One `writeHead`; headers set earlier (`x-powered-by`, say) are kept. The body goes out as the adapter wrote it.
  response.writeHead(answer.status, closeConnection ? { ...answer.headers, connection: "close" } : answer.headers);
  response.end(answer.body);
}

/**
 * The receiver as a `node:http` handler: `http.createServer(createNodeHandler(receiver))`. It routes
 * `POST {pathPrefix}/{adapter name}` (and one more segment, which OpenIM appends) by `request.url`,
 * so under a router, relative to where it is mounted; with `adapter`, every request it is given
 * goes to that adapter. Then `answerCallback`: the head checks before the body is read (405 for
 * another method), the raw body read from the socket within the limit, the deadline and the
 * receiver's budget of bytes in flight, then `handle`; a refusal that leaves the body unread closes
 * the connection. It never throws, and never calls `next` with an error.
 */
export function createNodeHandler(receiver: Receiver, options: CallbackHandlerOptions = {}): NodeHandler {
  const settings = resolveCallbackHandlerOptions(receiver, options, "node handler");
  return async (request, response, next) => {
    const receivedAt = new Date();
    const { path } = splitUrl(request.url ?? "/");
    const adapterName = settings.routeOf(path);
    if (adapterName === undefined) {
      if (next) next();
      else send(response, routeNotFound(request.method ?? "GET", path), false);
      return;
    }
    const answer = await answerCallback(receiver, adapterName, {
      head: requestHeadOf(request, receivedAt),
      readBody: (lease) => readRawBody(request, settings, lease),
    });
    send(response, answer.response, answer.closeConnection);
  };
}
