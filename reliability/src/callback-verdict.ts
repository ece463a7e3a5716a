import {
  type AppendInput,
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ReceivedCallback,
  checkStorableText,
  isFriendhookError,
  isUserId,
  storedCallbackOf,
} from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createOpenImAdapter } from "@friendhook/openim";
import { createTencentAdapter } from "@friendhook/tencent";
import { type CallbackShape, type ProviderRoute, providerRequestOf } from "./callback-shape";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";

/** What the app must answer to a request, and what it must keep of it. */
export interface ExpectedAnswer {
  readonly status: number;
  /** The refusal's error code; undefined for an acknowledgement. */
  readonly code?: string;
  /** The events the app stores (or already holds) for an acknowledged callback. */
  readonly eventIds: readonly string[];
  /** The id of the callback kept as unrecognized, for an acknowledged one of another family. */
  readonly unrecognizedCallbackId?: string;
}

/** Signatures bound so far (`CallbackBinding.key` → the fingerprint of the first body accepted with it). */
export type BoundSignatures = Map<string, string>;

/** The adapters exactly as the example app builds them from `providerVariables()` and `openImVariables()`. */
export function appAdapters(credentials: ReliabilityCredentials = reliabilityCredentials): Record<ProviderRoute, ProviderAdapterV1> {
  return {
    easemob: createEasemobAdapter({ secrets: [...credentials.easemobSecrets], appKeys: [...credentials.easemobAppKeys] }),
    tencent: createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: credentials.tencentToken }),
    openim: createOpenImAdapter({ appId: "openim", token: [credentials.openImToken] }),
  };
}

const jsonMediaType = /^application\/(?:[\w.-]+\+)?json$/;

/**
 * The receiver's documented checks before any adapter runs: callbacks come by POST, as JSON
 * (`application/json`, `application/*+json` or `text/plain`, or no content type; UTF-8 if a charset
 * is named), without a content encoding.
 */
function requestProblem(request: ProviderRequest): FriendhookError | undefined {
  if (request.method !== "POST") return new FriendhookError("method_not_allowed", "POST only");
  const contentType = request.headers["content-type"]?.trim() ?? "";
  if (contentType !== "") {
    const [mediaType = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
    const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
    if ((!jsonMediaType.test(mediaType) && mediaType !== "text/plain") || (charset !== undefined && charset !== "utf-8" && charset !== "utf8")) {
      return new FriendhookError("unsupported_media_type", "not JSON");
    }
  }
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase() ?? "";
  if (encoding !== "" && encoding !== "identity") return new FriendhookError("unsupported_media_type", "compressed");
  return undefined;
}

const refusal = (error: FriendhookError): ExpectedAnswer => ({ status: error.status, code: error.code, eventIds: [] });

/**
 * What the app must answer, from the rules and nothing the app says: the receiver's request checks;
 * the adapter, configured as the app configures it, first on the head (`authenticateHead`, before
 * the body is read), then the body limit, then the whole callback (`receive`); then the rules of what
 * a receiver keeps: user ids (`isUserId`), text every store can keep (`checkStorableText`) in the
 * events and in the callback kept once, and a signature bound to the first body accepted with it
 * (`signature_reused`). An acknowledged callback binds its signature in `bound`.
 */
export async function expectedAnswer(
  adapter: ProviderAdapterV1,
  shape: CallbackShape,
  bound: BoundSignatures,
  bodyLimitBytes: number,
): Promise<ExpectedAnswer> {
  const request = providerRequestOf(shape);
  const problem = requestProblem(request);
  if (problem) return refusal(problem);
  let callback: ReceivedCallback;
  try {
    adapter.authenticateHead?.(request);
    if (request.body.byteLength > bodyLimitBytes) return refusal(new FriendhookError("body_too_large", "over the limit"));
    callback = await adapter.receive(request);
  } catch (error) {
    if (!isFriendhookError(error)) throw error;
    return refusal(error);
  }
  if (!callback.events.every((event) => isUserId(event.actor) && isUserId(event.target))) {
    return refusal(new FriendhookError("invalid_payload", "a user id breaks the rule"));
  }
  const kept = storedCallbackOf(callback, request);
  const append: AppendInput = { events: callback.events, callback: kept, ...(callback.binding && { binding: callback.binding }), sinks: [] };
  const unstorable = checkStorableText(append);
  if (unstorable) return refusal(unstorable);
  if (callback.binding) {
    const fingerprint = bound.get(callback.binding.key);
    if (fingerprint !== undefined && fingerprint !== callback.binding.fingerprint) {
      return refusal(new FriendhookError("signature_reused", "bound to another body"));
    }
    bound.set(callback.binding.key, callback.binding.fingerprint);
  }
  return {
    status: callback.acknowledgement.status,
    eventIds: callback.events.map((event) => event.id),
    ...(callback.unrecognized && { unrecognizedCallbackId: kept.id }),
  };
}
