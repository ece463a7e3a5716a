import { isFriendhookError } from "@friendhook/core";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { ApiError } from "./api-error";

/** Every route missed: a JSON 404, like every other answer of this app. */
export const notFound: RequestHandler = (request, response) => {
  const error = new ApiError("not_found", `No route for ${request.method.slice(0, 10)} ${request.path.slice(0, 100)}.`);
  response.status(error.status).json(error);
};

/** The status of an error raised by Express itself for a bad request (a malformed URL, say). */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The last handler. Known errors answer with their stable code; anything else is logged with its
 * stack and answered with a 500 that says nothing about the internals.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ApiError || isFriendhookError(error)) {
      if (error.status >= 500) logger.error({ err: error, path: request.path }, "request failed");
      response.status(error.status).json(error);
      return;
    }
    const clientStatus = clientErrorStatus(error);
    if (clientStatus !== undefined) {
      response.status(clientStatus).json({ error: { code: "bad_request", message: "The request could not be read." } });
      return;
    }
    logger.error({ err: error, method: request.method, path: request.path }, "unexpected error");
    response.status(500).json(new ApiError("internal_error", "An unexpected error occurred; it was logged."));
  };
}
