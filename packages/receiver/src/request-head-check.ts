import { FriendhookError, isFriendhookError, type ProviderAdapterV1, type ProviderRequestHead } from "@friendhook/core";
import type { ReceiverLogger } from "./receiver-logger";
import { checkProviderRequest } from "./request-checks";

/**
 * What is wrong with a request that its head alone tells, before the body is read: the method,
 * content type and encoding, then the adapter's `authenticateHead` (the app, a signature in the URL
 * or the headers). `receive` checks all of it again once the body is there.
 */
export function checkRequestHead(
  adapter: ProviderAdapterV1,
  head: ProviderRequestHead,
  logger: ReceiverLogger,
): FriendhookError | undefined {
  const problem = checkProviderRequest(head);
  if (problem || !adapter.authenticateHead) return problem;
  try {
    adapter.authenticateHead(head);
    return undefined;
  } catch (error) {
    if (isFriendhookError(error)) return error;
    // The contract forbids this; the request is what made the adapter fail, so the answer is a 4xx.
    logger.error({ provider: adapter.provider, error: String(error) }, "authenticateHead threw something other than a FriendhookError");
    return new FriendhookError("invalid_payload", "The callback could not be read.", { provider: adapter.provider, cause: error });
  }
}
