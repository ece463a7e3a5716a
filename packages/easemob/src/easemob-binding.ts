import type { CallbackBinding } from "@friendhook/core";
import { easemobProvider } from "./easemob-provider";

/** What Easemob signed: `callId` and `timestamp`, with the signature itself. */
export interface EasemobSignature {
  readonly callId: string;
  /** Milliseconds since the Unix epoch, as sent. */
  readonly timestamp: number;
  /** `security` as sent; compared in lower case, since upper-case hex is accepted too. */
  readonly security: string;
}

/**
 * Easemob's signature covers `callId` and `timestamp` only, so the receiver binds it to the first
 * body it accepts: `key` is what was signed (the app key is the one `callId` names), `fingerprint`
 * the action that body describes, and after `expiresAt` the freshness window refuses the signature
 * anyway, so the binding can be forgotten.
 */
export function easemobBinding(
  appKey: string,
  signature: EasemobSignature,
  fingerprint: string,
  maximumAgeMilliseconds: number,
): CallbackBinding {
  return {
    key: JSON.stringify([easemobProvider, appKey.toLowerCase(), signature.callId, signature.timestamp, signature.security.toLowerCase()]),
    fingerprint,
    expiresAt: signature.timestamp + maximumAgeMilliseconds,
  };
}
