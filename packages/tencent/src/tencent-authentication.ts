import { FriendhookError, constantTimeEqualAny, sha256Hex } from "@friendhook/core";

/**
 * Tencent's callback authentication: `Sign = sha256_hex(Token + RequestTime)`, plain SHA-256 (not an
 * HMAC) in lower-case hex, with `RequestTime` in Unix seconds. Only the time is signed, never the body.
 */
export function signTencentRequest(token: string, requestTime: number | string): string {
  return sha256Hex(`${token}${requestTime}`);
}

/**
 * Only the second is signed, so every callback sent within one second carries the same `Sign`. The
 * expected signatures of the last second are kept per token list (an adapter's list lives as long as
 * the adapter; a weak map forgets the rest), so that a burst of callbacks computes them once.
 */
const lastSignatures = new WeakMap<readonly string[], { readonly requestTime: string; readonly signs: readonly string[] }>();

function expectedSigns(tokens: readonly string[], requestTime: string): readonly string[] {
  const last = lastSignatures.get(tokens);
  if (last?.requestTime === requestTime) return last.signs;
  const signs = tokens.map((token) => signTencentRequest(token, requestTime));
  lastSignatures.set(tokens, { requestTime, signs });
  return signs;
}

export interface TencentSignatureCheck {
  /** The token, or several while it is being rotated: a `Sign` made with any of them is accepted. */
  readonly token: string | readonly string[];
  readonly maximumClockSkewSeconds: number;
  readonly now: Date;
}

const unixSeconds = /^\d{1,12}$/;

/**
 * Checks `Sign` and `RequestTime` from the callback URL. The signature is compared first, in
 * constant time and against every token, so that an unsigned caller learns nothing about the
 * accepted time window, nor which token matched.
 */
export function verifyTencentSignature(query: URLSearchParams, check: TencentSignatureCheck): void {
  const sign = query.get("Sign");
  const requestTime = query.get("RequestTime");
  if (!sign || !requestTime) {
    throw new FriendhookError(
      "missing_signature",
      "The callback URL carries no Sign and RequestTime, but a token is configured: turn on callback authentication in the Chat console.",
      { provider: "tencent" },
    );
  }
  if (!unixSeconds.test(requestTime)) {
    throw new FriendhookError("invalid_signature", "RequestTime is not a Unix time in seconds.", { provider: "tencent" });
  }
  const tokens = typeof check.token === "string" ? [check.token] : check.token;
  if (!constantTimeEqualAny(sign.toLowerCase(), expectedSigns(tokens, requestTime))) {
    throw new FriendhookError("invalid_signature", "Sign does not match any configured token and RequestTime.", {
      provider: "tencent",
    });
  }
  const skewSeconds = Math.abs(check.now.getTime() / 1000 - Number(requestTime));
  if (skewSeconds > check.maximumClockSkewSeconds) {
    throw new FriendhookError(
      "stale_request",
      `RequestTime lies ${Math.round(skewSeconds)} s from now, more than the accepted ${check.maximumClockSkewSeconds} s (a replay, or a clock far off).`,
      { provider: "tencent" },
    );
  }
}
