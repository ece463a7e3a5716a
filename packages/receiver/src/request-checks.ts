import { FriendhookError, type ProviderRequestHead, type ProviderResponse } from "@friendhook/core";

/**
 * Content types that can carry the JSON body: `application/json` (what Easemob and Tencent send),
 * any `application/*+json`, and `text/plain`, which some gateways substitute. A missing content
 * type is accepted too: the body is parsed as JSON either way, and parsing decides.
 */
const jsonMediaType = /^application\/(?:[\w.-]+\+)?json$/;
const plainTextMediaType = "text/plain";
const utf8Charsets = new Set(["utf-8", "utf8"]);

function checkContentType(contentType: string | undefined): FriendhookError | undefined {
  if (contentType === undefined || contentType.trim() === "") return undefined;
  const [mediaType = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (!jsonMediaType.test(mediaType) && mediaType !== plainTextMediaType) {
    return new FriendhookError(
      "unsupported_media_type",
      `The content type ${JSON.stringify(mediaType.slice(0, 80))} cannot carry a JSON callback; send application/json.`,
    );
  }
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
  if (charset !== undefined && !utf8Charsets.has(charset)) {
    return new FriendhookError("unsupported_media_type", `The charset ${JSON.stringify(charset.slice(0, 40))} is not accepted; send UTF-8.`);
  }
  return undefined;
}

function checkContentEncoding(contentEncoding: string | undefined): FriendhookError | undefined {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding === undefined || encoding === "" || encoding === "identity") return undefined;
  return new FriendhookError("unsupported_media_type", "Compressed callback bodies are not accepted; send the body without Content-Encoding.");
}

/** What is wrong with a request before any adapter looks at it: its method, content type or encoding. */
export function checkProviderRequest(request: ProviderRequestHead): FriendhookError | undefined {
  if (request.method !== "POST") {
    return new FriendhookError("method_not_allowed", `Callbacks arrive by POST; ${request.method.slice(0, 20)} is not accepted.`);
  }
  return checkContentType(request.headers["content-type"]) ?? checkContentEncoding(request.headers["content-encoding"]);
}

/** HTTP requires a 405 to say which methods are allowed; a 503 for load says when to come back. */
export function withRequiredHeaders(error: FriendhookError, response: ProviderResponse): ProviderResponse {
  if (error.code === "method_not_allowed") return { ...response, headers: { ...response.headers, allow: "POST" } };
  if (error.code === "receiver_busy") return { ...response, headers: { ...response.headers, "retry-after": "1" } };
  return response;
}
