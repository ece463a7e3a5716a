import { FriendhookError, constantTimeEqualAny } from "@friendhook/core";

/**
 * OpenIM signs nothing and sends no credential of its own: its webhook client sets only the
 * `operationID` and `Content-Type` headers. This check is friendhook's addition. Two ways carry a
 * token without changing OpenIM:
 *
 * - HTTP Basic: a webhook URL with user info (`https://friendhook:<token>@host/webhooks/openim`)
 *   makes Go's HTTP client send `Authorization: Basic …`; the password is the token.
 * - Bearer: a reverse proxy in front of the receiver adds `Authorization: Bearer <token>`.
 */
export function presentedOpenImToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const separator = authorization.indexOf(" ");
  if (separator < 0) return undefined;
  const scheme = authorization.slice(0, separator).toLowerCase();
  const credentials = authorization.slice(separator + 1).trim();
  if (scheme === "bearer") return credentials || undefined;
  if (scheme === "basic") {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
  }
  return undefined;
}

/** Refuses a callback that does not present one of the configured tokens. Messages never echo it. */
export function verifyOpenImToken(headers: Readonly<Record<string, string | undefined>>, tokens: readonly string[]): void {
  const token = presentedOpenImToken(headers.authorization);
  if (token === undefined) {
    throw new FriendhookError(
      "missing_signature",
      "The callback carries no bearer or basic token, but a token is configured: put it in OpenIM's webhook URL (https://friendhook:TOKEN@host/…) or have the proxy add Authorization: Bearer TOKEN.",
      { provider: "openim" },
    );
  }
  if (!constantTimeEqualAny(token, tokens)) {
    throw new FriendhookError("invalid_signature", "The callback's token does not match any configured token.", {
      provider: "openim",
    });
  }
}
