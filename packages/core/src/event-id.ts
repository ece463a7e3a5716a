import { sha256Hex } from "./hashing";

export interface EventIdentity {
  provider: string;
  appId: string;
  type: string;
  /**
   * What identifies the provider fact, in a fixed order: a message id, or the users and the
   * provider's timestamp. Two callbacks that describe one fact must give the same parts.
   */
  parts: ReadonlyArray<string | number>;
}

/**
 * A deterministic event id: `evt_` and 32 hex digits (128 bits) of SHA-256 over the identity.
 * The parts are JSON-encoded so that no choice of separator can make two identities collide.
 */
export function deriveEventId(identity: EventIdentity): string {
  const material = JSON.stringify([identity.provider, identity.appId, identity.type, ...identity.parts]);
  return `evt_${sha256Hex(material).slice(0, 32)}`;
}
