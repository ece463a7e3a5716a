import { FriendhookError, type ProviderResponse, parseOptions } from "@friendhook/core";
import { answerCallback, type Receiver } from "@friendhook/receiver";
import type { RequestHandler, Response } from "express";
import { type FriendhookMiddlewareOptions, FriendhookMiddlewareOptionsSchema } from "./friendhook-middleware-options";
import { providerRequestHeadOf } from "./provider-request-of";
import { readRawBody } from "./raw-body";

function send(response: Response, answer: ProviderResponse, closeConnection: boolean): void {
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
 * It checks what the head of the request allows before reading the body (a forged upload is
 * answered at once, unread), reads the raw body itself (size limit enforced while streaming, within
 * the receiver's budget of bytes in flight), hands it to the receiver, and writes back the
 * receiver's answer. It never calls `next` with an error.
 */
export function createFriendhookMiddleware(receiver: Receiver, options: FriendhookMiddlewareOptions): RequestHandler {
  const settings = parseOptions(FriendhookMiddlewareOptionsSchema, options, "friendhook middleware");
  if (!receiver.adapterNames.includes(settings.adapter)) {
    throw new FriendhookError(
      "misconfigured",
      `The receiver has no adapter named "${settings.adapter}" (configured: ${receiver.adapterNames.join(", ")}).`,
    );
  }
  if (settings.bodyLimitBytes > receiver.bodyBudget.maximumBytes) {
    throw new FriendhookError(
      "misconfigured",
      `bodyLimitBytes (${settings.bodyLimitBytes}) is larger than the receiver's maximumBodyBytesInFlight (${receiver.bodyBudget.maximumBytes}): a body of the limit could never be read.`,
    );
  }
  return async (request, response) => {
    const head = providerRequestHeadOf(request, new Date());
    const answer = await answerCallback(receiver, settings.adapter, {
      head,
      readBody: (lease) => readRawBody(request, settings, lease),
    });
    send(response, answer.response, answer.closeConnection);
  };
}
