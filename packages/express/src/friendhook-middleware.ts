import type { CallbackHandlerOptions, Receiver } from "@friendhook/receiver";
import { createNodeHandler } from "@friendhook/receiver/node";
import type { RequestHandler } from "express";

/** `createNodeHandler`'s options: `adapter` for one route, or `pathPrefix`; `bodyLimitBytes`, `bodyTimeoutMs`. */
export type FriendhookMiddlewareOptions = CallbackHandlerOptions;

/**
 * The receiver's `node:http` handler as Express middleware. For one provider's route:
 * `app.post("/callbacks/easemob", createFriendhookMiddleware(receiver, { adapter: "easemob" }))`;
 * for a route per adapter under a prefix: `app.use(createFriendhookMiddleware(receiver))` serves
 * `/webhooks/{adapter}` and passes every other request on to `next`. It reads the raw body itself
 * (mount it before any body parser, or keep `request.rawBody`), and never calls `next` with an error.
 */
export function createFriendhookMiddleware(receiver: Receiver, options: FriendhookMiddlewareOptions = {}): RequestHandler {
  // Express's request and response are Node's, and its `next` takes what the handler passes on.
  const middleware: RequestHandler = createNodeHandler(receiver, options);
  return middleware;
}
