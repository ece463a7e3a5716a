import type { FriendEvent } from "./friend-event";
import type { FriendhookError } from "./friendhook-error";
import type { ProviderRequest, ProviderRequestHead, ProviderResponse } from "./provider-request";

/**
 * A callback that was authenticated but that the adapter does not map to events (an operation it
 * does not know, a command outside its family). It is acknowledged, so the provider neither retries
 * nor suspends the rule, and kept by the receiver rather than guessed at.
 */
export interface UnrecognizedCallback {
  /** The provider's command or operation, as sent. */
  readonly command: string;
  /** Why it was not mapped, for a human. */
  readonly reason: string;
}

/**
 * What one signature authorizes, for providers whose signature does not cover the body (Easemob
 * signs `callId` and `timestamp` only). The first body seen with a signature binds it: a later
 * callback with the same `key` and another `fingerprint` is refused with `signature_reused`, and
 * nothing of it is stored. Retries and the several views of one action share a fingerprint.
 */
export interface CallbackBinding {
  /** What was signed, e.g. the provider, app, `callId`, `timestamp` and signature. */
  readonly key: string;
  /** What the signature may stand for, e.g. the message id, the operation family and the user pair. */
  readonly fingerprint: string;
  /** Epoch milliseconds after which the signature is refused anyway (stale), so the binding can be forgotten. */
  readonly expiresAt: number;
}

/** What an adapter made of one authenticated callback. */
export interface ReceivedCallback {
  readonly provider: string;
  /** The provider app the callback belongs to (Easemob app key, Tencent SdkAppid). */
  readonly appId: string;
  /** The provider's command or operation, as sent. */
  readonly command: string;
  /** The unified events, in the order they happened. Empty when the callback is unrecognized. */
  readonly events: readonly FriendEvent[];
  readonly unrecognized?: UnrecognizedCallback;
  /**
   * The body as it may be kept, with signature material removed (Easemob's `security`, say, which
   * would let whoever reads the stored callback attack the secret offline). The receiver keeps the
   * raw body when this is absent.
   */
  readonly body?: string;
  /** Present when the signature does not cover the body; see `CallbackBinding`. */
  readonly binding?: CallbackBinding;
  /**
   * The answer the provider expects once the events are stored. For "before" callbacks it carries
   * the application's decision (see `FriendRequestPolicy`).
   */
  readonly acknowledgement: ProviderResponse;
}

/**
 * The provider adapter contract, version 1. An adapter is given its settings when it is created,
 * and then one `ProviderRequest` per callback.
 *
 * - `authenticateHead`, when present, runs before the body is read, on what the head of the request
 *   carries; shells call it to refuse forged uploads without reading them.
 * - `receive` authenticates the request first (before any event exists), then normalizes it. It
 *   throws a `FriendhookError` for anything it refuses: a bad signature, another app, a malformed
 *   body. It must not throw any other error for any input.
 * - `refuse` renders a refusal, or a receiver-side failure such as `store_unavailable`, in the
 *   provider's own format (Tencent wants a JSON body with `ActionStatus: "FAIL"`; Easemob reads only
 *   the status). The status is always the error's.
 *
 * A receiver answers with `acknowledgement` only after the events are durably stored, and with
 * `refuse(error)` otherwise, so that the provider can retry.
 */
export interface ProviderAdapterV1 {
  readonly specificationVersion: "v1";
  /** The value every event of this adapter carries in `provider`. Lower case, no spaces. */
  readonly provider: string;
  /**
   * Optional: checks what the method, path, query and headers alone can tell (the app, a signature
   * in the URL) before the body is read, so that a forged upload is refused without reading it. It
   * throws a `FriendhookError` as `receive` would; `receive` must check the same again.
   */
  authenticateHead?(request: ProviderRequestHead): void;
  /**
   * Optional: how long after its first receipt a copy of one callback can still be accepted, in
   * milliseconds, when the adapter's checks bound it (a signed time refused past a freshness
   * window). A receiver remembers event ids at least this long, so that every copy it accepts is
   * recognized as a duplicate.
   */
  readonly deduplicationWindowMs?: number;
  receive(request: ProviderRequest): Promise<ReceivedCallback>;
  refuse(error: FriendhookError): ProviderResponse;
}

export type ProviderAdapter = ProviderAdapterV1;
