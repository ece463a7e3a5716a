import { FriendhookError, constantTimeEqualAny, md5Hex } from "@friendhook/core";

/** The two fields Easemob signs. Nothing else in the body is covered by the signature. */
export interface EasemobSignedFields {
  readonly callId: string;
  /** Milliseconds since the Unix epoch, as sent. */
  readonly timestamp: number;
}

/**
 * Easemob's callback signature: `security = md5_hex(callId + secret + timestamp)`, UTF-8 input,
 * lower-case hex, the timestamp as its decimal string, no separators.
 */
export function signEasemobCallback(body: EasemobSignedFields, secret: string): string {
  return md5Hex(`${body.callId}${secret}${body.timestamp}`);
}

/**
 * Checks `security` against every configured secret. Every secret is tried, so that the time taken
 * does not tell which one matched, or how close a guess came.
 */
export function verifyEasemobSignature(
  fields: EasemobSignedFields,
  security: string,
  secrets: readonly string[],
): void {
  const expected = secrets.map((secret) => signEasemobCallback(fields, secret));
  if (!constantTimeEqualAny(security.toLowerCase(), expected)) {
    throw new FriendhookError(
      "invalid_signature",
      "The callback's security does not match md5(callId + secret + timestamp) for any configured secret.",
      { provider: "easemob" },
    );
  }
}
