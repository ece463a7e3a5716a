import { FriendhookError, isFriendhookError, type ProviderResponse, parseOptions } from "@friendhook/core";
import type { Receiver } from "@friendhook/receiver";
import type { RequestHandler, Response } from "express";
import { type FriendhookMiddlewareOptions, FriendhookMiddlewareOptionsSchema } from "./friendhook-middleware-options";
import { providerRequestOf } from "./provider-request-of";
import { readRawBody } from "./raw-body";

/** After these, the rest of the request may still be arriving: close the connection rather than read it. */
const connectionClosingCodes = new Set(["body_too_large", "request_timeout", "malformed_body"]);

function send(response: Response, answer: ProviderResponse, closeConnection = false): void {
  // Another handler already answered (a timeout middleware, say): nothing more can be sent.
  if (response.headersSent) return;
  // One `writeHead` instead of Express's `status` and a `setHeader` per header; headers set
  // earlier (`x-powered-by`, say) are kept. `end`, not `send`: the body goes out as the adapter wrote it.
  response.writeHead(answer.status, closeConnection ? { ...answer.headers, connection: "close" } : answer.headers);
  response.end(answer.body);
}

/**
 * The Express route handler for one provider's callbacks:
 * `app.post("/callbacks/easemob", createFriendhookMiddleware(receiver, { adapter: "easemob" }))`.
 * It reads the raw body itself (size limit enforced while streaming), hands it to the receiver,
 * and writes back the receiver's answer. It never calls `next` with an error.
 */
export function createFriendhookMiddleware(receiver: Receiver, options: FriendhookMiddlewareOptions): RequestHandler {
  const settings = parseOptions(FriendhookMiddlewareOptionsSchema, options, "friendhook middleware");
  if (!receiver.adapterNames.includes(settings.adapter)) {
    throw new FriendhookError(
      "misconfigured",
      `The receiver has no adapter named "${settings.adapter}" (configured: ${receiver.adapterNames.join(", ")}).`,
    );
  }
  return async (request, response) => {
    const startedAt = performance.now();
    const receivedAt = new Date();
    let body: Uint8Array;
    try {
      // Only POST carries a callback; the receiver answers anything else with 405 unread.
      body = request.method === "POST" ? await readRawBody(request, settings) : new Uint8Array();
    } catch (error) {
      const refusal =
        isFriendhookError(error) ? error : new FriendhookError("malformed_body", "The request body could not be read.", { cause: error });
      send(response, receiver.refuse(settings.adapter, refusal, performance.now() - startedAt), connectionClosingCodes.has(refusal.code));
      return;
    }
    send(response, await receiver.handle(settings.adapter, providerRequestOf(request, body, receivedAt)));
  };
}
