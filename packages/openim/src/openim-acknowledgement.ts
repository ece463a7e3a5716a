import { type FriendhookError, type ProviderResponse, jsonResponse } from "@friendhook/core";
import type { OpenImDecision } from "./openim-decisions";
import { defaultDenialErrorCode } from "./openim-options";

/**
 * OpenIM's `CommonCallbackResp`. OpenIM ignores the HTTP status and reads only this body: a
 * before-callback is vetoed when `actionCode` is 0 and `nextCode` is 1 (old and current servers
 * test the pair differently, but both veto on it), and the client then sees `errCode` and `errMsg`. After-callbacks are answered the
 * same way; OpenIM reads the answer but acts on nothing in it.
 */
export interface OpenImCallbackResponse {
  readonly actionCode: number;
  readonly errCode: number;
  readonly errMsg: string;
  readonly errDlt: string;
  readonly nextCode: 0 | 1;
}

function render(status: number, body: OpenImCallbackResponse): ProviderResponse {
  return jsonResponse(status, body);
}

/** The answer once the events are stored: go ahead, or, for a denied before-callback, stop. */
export function openImAcknowledgement(decision: OpenImDecision = { allow: true }): ProviderResponse {
  if (decision.allow) return render(200, { actionCode: 0, errCode: 0, errMsg: "", errDlt: "", nextCode: 0 });
  return render(200, { actionCode: 0, errCode: decision.code, errMsg: decision.reason, errDlt: "", nextCode: 1 });
}

/**
 * A refusal, or a receiver-side failure, with the error's own status. The body stops a
 * before-callback, so that a change friendhook could not record does not happen unseen.
 */
export function openImRefusal(error: FriendhookError): ProviderResponse {
  return render(error.status, {
    actionCode: 0,
    errCode: defaultDenialErrorCode,
    errMsg: `${error.code}: ${error.message}`,
    errDlt: "",
    nextCode: 1,
  });
}
