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
const utf8 = new TextDecoder();

/** The password of HTTP Basic credentials (`base64(user:password)`); undefined when they are not that. */
function basicPassword(credentials: string): string | undefined {
  let binary: string;
  try {
    binary = atob(credentials);
  } catch {
    return undefined;
  }
  const decoded = utf8.decode(Uint8Array.from(binary, (character) => character.charCodeAt(0)));
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
}

/** HTTP Basic credentials for `user` and `password`, as a client sends them after `Basic `. */
export function basicCredentials(user: string, password: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
}

export function presentedOpenImToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const separator = authorization.indexOf(" ");
  if (separator < 0) return undefined;
  const scheme = authorization.slice(0, separator).toLowerCase();
  const credentials = authorization.slice(separator + 1).trim();
  if (scheme === "bearer") return credentials || undefined;
  if (scheme === "basic") return basicPassword(credentials);
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
