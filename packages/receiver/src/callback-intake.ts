import { FriendhookError, type FriendhookErrorCode, isFriendhookError, type ProviderRequestHead, type ProviderResponse } from "@friendhook/core";
import type { BodyLease } from "./body-budget";
import type { Receiver } from "./receiver";

/** One callback as a framework shell hands it over: the head, and a way to read the body. */
export interface CallbackIntake {
  /** The request before its body is read; `receivedAt` is when it arrived. */
  readonly head: ProviderRequestHead;
  /**
   * Reads the body bytes exactly as sent, taking every byte it buffers from `lease` (see
   * `readRequestBody`). Rejects with a `FriendhookError`; anything else counts as a broken body.
   */
  readonly readBody: (lease: BodyLease) => Promise<Uint8Array>;
}

export interface CallbackAnswer {
  readonly response: ProviderResponse;
  /**
   * The rest of the body may still be arriving, unread: send the answer with `Connection: close`
   * and drop the connection rather than read what is left.
   */
  readonly closeConnection: boolean;
}

/** Refusals after which the body was left part-read. */
const unreadBodyCodes: ReadonlySet<FriendhookErrorCode> = new Set(["body_too_large", "request_timeout", "malformed_body", "receiver_busy"]);

/** Whether the head announces a body: a Content-Length above zero, or a chunked one. */
function announcesBody(headers: ProviderRequestHead["headers"]): boolean {
  const length = headers["content-length"]?.trim();
  return headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "" && length !== "0");
}

/**
 * What every framework shell does with one callback, in one place: the checks the head allows,
 * before a byte of the body is read (a forged upload is answered at once, however slowly it would
 * arrive); then the body, read within the receiver's budget of bytes in flight; then `handle`. The
 * body's bytes count against the budget until the answer is ready. Never throws.
 */
export async function answerCallback(receiver: Receiver, adapterName: string, intake: CallbackIntake): Promise<CallbackAnswer> {
  const startedAt = performance.now();
  const refusal = receiver.checkHead(adapterName, intake.head);
  if (refusal) return { response: refusal, closeConnection: announcesBody(intake.head.headers) };
  const lease = receiver.bodyBudget.lease();
  try {
    let body: Uint8Array;
    try {
      body = await intake.readBody(lease);
    } catch (error) {
      const failure =
        isFriendhookError(error) ? error : new FriendhookError("malformed_body", "The request body could not be read.", { cause: error });
      return {
        response: receiver.refuse(adapterName, failure, performance.now() - startedAt),
        closeConnection: unreadBodyCodes.has(failure.code),
      };
    }
    return { response: await receiver.handle(adapterName, { ...intake.head, body }), closeConnection: false };
  } finally {
    lease.release();
  }
}
