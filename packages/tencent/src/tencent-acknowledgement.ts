import { type FriendhookError, type ProviderResponse, jsonResponse } from "@friendhook/core";
import type { TencentResultItem } from "./tencent-decisions";

/** Every after-callback gets the same answer: made once, not once per callback. */
const plainAcknowledgement: ProviderResponse = jsonResponse(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });

/**
 * The answer Tencent expects: HTTP 200 and `ActionStatus: "OK"`. "Before" callbacks add one
 * `ResultItem` per pair with the application's decision.
 */
export function tencentAcknowledgement(resultItems?: readonly TencentResultItem[]): ProviderResponse {
  if (resultItems === undefined) return plainAcknowledgement;
  const body = {
    ActionStatus: "OK",
    ErrorCode: 0,
    ErrorInfo: "",
    ResultItem: resultItems,
  };
  return jsonResponse(200, body);
}

/**
 * A refusal in Tencent's format, with the error's own status: Tencent counts any non-200 answer as a
 * failure (and retries an after-callback when retries are switched on).
 */
export function tencentRefusal(error: FriendhookError): ProviderResponse {
  const body = { ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: `${error.code}: ${error.message}` };
  return jsonResponse(error.status, body);
}
