import { FriendhookError, constantTimeEqual, sha256Hex } from "@friendhook/core";

/**
 * Tencent's callback authentication: `Sign = sha256_hex(Token + RequestTime)`, plain SHA-256 (not an
 * HMAC) in lower-case hex, with `RequestTime` in Unix seconds. Only the time is signed, never the body.
 */
export function signTencentRequest(token: string, requestTime: number | string): string {
  return sha256Hex(`${token}${requestTime}`);
}

/**
 * Only the second is signed, so every callback sent within one second carries the same `Sign`: the
 * last expected signature is kept, and a burst of callbacks computes it once.
 */
let lastSignature: { readonly token: string; readonly requestTime: string; readonly sign: string } | undefined;

function expectedSign(token: string, requestTime: string): string {
  if (lastSignature?.token !== token || lastSignature.requestTime !== requestTime) {
    lastSignature = { token, requestTime, sign: signTencentRequest(token, requestTime) };
  }
  return lastSignature.sign;
}

export interface TencentSignatureCheck {
  readonly token: string;
  readonly maximumClockSkewSeconds: number;
  readonly now: Date;
}

const unixSeconds = /^\d{1,12}$/;

/**
 * Checks `Sign` and `RequestTime` from the callback URL. The signature is compared first, in
 * constant time, so that an unsigned caller learns nothing about the accepted time window.
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
  if (!constantTimeEqual(sign.toLowerCase(), expectedSign(check.token, requestTime))) {
    throw new FriendhookError("invalid_signature", "Sign does not match the configured token and RequestTime.", {
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
