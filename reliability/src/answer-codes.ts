import type { HttpOutcome } from "./http-client";

/**
 * The stable error code of a refusal, in whichever format the app answered: Easemob's and the
 * receiver's `{"error":{"code":…}}`, Tencent's `{"ErrorInfo":"code: message"}`, or OpenIM's
 * `{"errMsg":"code: message"}` (empty in an acknowledgement).
 */
export function errorCodeOf(outcome: HttpOutcome): string | undefined {
  if (outcome.kind !== "answered") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(outcome.body);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== "object") return undefined;
  const error = (body as { error?: { code?: unknown } }).error;
  if (typeof error?.code === "string") return error.code;
  const errorInfo = (body as { ErrorInfo?: unknown; errMsg?: unknown }).ErrorInfo ?? (body as { errMsg?: unknown }).errMsg;
  if (typeof errorInfo === "string") return /^([a-z_]+):/.exec(errorInfo)?.[1];
  return undefined;
}
