import { constantTimeEqualAny } from "@friendhook/core";
import type { RequestHandler } from "express";
import { ApiError } from "./api-error";

/** `Bearer <token>`; the scheme's case does not matter (RFC 7235). */
const bearerCredentials = /^Bearer +(\S+) *$/i;

/**
 * Lets a request through when its `Authorization: Bearer` token is one of `tokens` (several while
 * rotating); answers 401 `unauthorized` otherwise. Every configured token is compared, in constant
 * time, whatever the one sent. Neither the header nor the token is ever logged or repeated.
 */
export function requireBearerToken(tokens: readonly string[], realm: string): RequestHandler {
  return (request, response, next) => {
    const header = request.headers.authorization;
    const sent = header === undefined ? undefined : bearerCredentials.exec(header)?.[1];
    if (sent !== undefined && constantTimeEqualAny(sent, tokens)) {
      next();
      return;
    }
    // RFC 6750: the challenge names the realm, and says whether a token came and was refused.
    const challenge = header === undefined ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="invalid_token"`;
    response.setHeader("WWW-Authenticate", challenge);
    throw new ApiError(
      "unauthorized",
      header === undefined
        ? `This route needs a token: send it as "Authorization: Bearer TOKEN".`
        : `The token is not accepted: send one of the configured tokens as "Authorization: Bearer TOKEN".`,
    );
  };
}
