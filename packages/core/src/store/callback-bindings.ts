import { FriendhookError } from "../friendhook-error";
import type { CallbackBinding } from "../provider-adapter";

/**
 * Whether a stored binding still binds its key at `now` (epoch milliseconds). Past its `expiresAt`
 * the signature is refused as stale anyway, so the store may forget the binding, and a binding it
 * has not yet pruned no longer counts: every store then answers alike.
 */
export function isBindingInForce(stored: Pick<CallbackBinding, "expiresAt">, now: number): boolean {
  return stored.expiresAt >= now;
}

/** The refusal of a callback whose signature is bound to another body (`signature_reused`, 401). */
export function signatureReusedError(): FriendhookError {
  return new FriendhookError(
    "signature_reused",
    "This signature was first seen with another callback; a signature that does not cover the body authorizes only the first body.",
  );
}

/** How often a store deletes expired bindings at most: they no longer count, so this only bounds the table. */
export const bindingPruneIntervalMs = 60_000;
