import { sha256Hex } from "./hashing";

export interface CallbackIdentity {
  readonly provider: string;
  readonly appId: string;
  readonly command: string;
  /** The body as kept (without signature material). */
  readonly body: string;
}

/**
 * A deterministic callback id: `cb_` and 32 hex digits (128 bits) of SHA-256 over provider, app,
 * command and the kept body, so that a retried callback is stored once. It covers the kept body
 * only: a hash over a signature would let whoever reads the stored callback test guesses of the
 * secret just as well as the signature itself.
 */
export function deriveCallbackId(identity: CallbackIdentity): string {
  const material = JSON.stringify([identity.provider, identity.appId, identity.command, identity.body]);
  return `cb_${sha256Hex(material).slice(0, 32)}`;
}
