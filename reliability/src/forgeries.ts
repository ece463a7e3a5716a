import { type ProviderRequest, createProviderRequest, hmacSha256, md5Hex, sha256Hex } from "@friendhook/core";
import { buildEasemobCallback, signEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback, signTencentRequest } from "@friendhook/tencent";
import type { Route } from "./callback-plans";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";

/** A request someone without the secret could send, and how the app must refuse it. */
export interface Forgery {
  readonly name: string;
  readonly route: Route;
  readonly code: "missing_signature" | "invalid_signature" | "stale_request" | "app_mismatch";
  readonly status: 401 | 403;
  /** Built at the moment of sending, so that "now" in a signed time is the sending time. */
  build(): ProviderRequest;
}

let sequence = 0;
const nextMessageId = () => `77${String(Date.now()).slice(-8)}${String((sequence += 1)).padStart(8, "0")}`;

/** Re-serializes an Easemob callback with some fields changed or removed (`undefined`). */
function editedEasemob(request: ProviderRequest, changes: Record<string, unknown>): ProviderRequest {
  const body = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete body[name];
    else body[name] = value;
  }
  return createProviderRequest({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Replaces query parameters of a Tencent callback (an `undefined` value removes the parameter). */
function editedTencent(request: ProviderRequest, changes: Record<string, string | undefined>): ProviderRequest {
  const query = new URLSearchParams(request.query);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) query.delete(name);
    else query.set(name, value);
  }
  return { ...request, query };
}

export function easemobForgeries(credentials: ReliabilityCredentials = reliabilityCredentials): Forgery[] {
  const [secret] = credentials.easemobSecrets;
  const appKey = credentials.easemobAppKeys[0];
  const genuine = (overrides: { appKey?: string; secret?: string } = {}) =>
    buildEasemobCallback({
      secret: overrides.secret ?? secret,
      operation: "accept",
      from: `${overrides.appKey ?? appKey}_mallory@easemob.com`,
      to: "victim",
      appKey: overrides.appKey ?? appKey,
      messageId: nextMessageId(),
    });
  const signedFields = (request: ProviderRequest) => {
    const body = JSON.parse(new TextDecoder().decode(request.body)) as { callId: string; timestamp: number };
    return { callId: body.callId, timestamp: body.timestamp };
  };
  const forgery = (name: string, code: Forgery["code"], build: () => ProviderRequest): Forgery => ({
    name: `Easemob: ${name}`,
    route: "easemob",
    code,
    status: code === "app_mismatch" ? 403 : 401,
    build,
  });
  return [
    forgery("no security", "missing_signature", () => editedEasemob(genuine(), { security: undefined })),
    forgery("an empty security", "missing_signature", () => editedEasemob(genuine(), { security: "" })),
    forgery("a security that is a number", "missing_signature", () => editedEasemob(genuine(), { security: 12345 })),
    forgery("a random security", "invalid_signature", () => editedEasemob(genuine(), { security: md5Hex(String(Math.random())) })),
    forgery("signed with another secret", "invalid_signature", () => genuine({ secret: "a-secret-the-app-does-not-know" })),
    forgery("signed without the secret (md5 of callId + timestamp)", "invalid_signature", () => {
      const request = genuine();
      const { callId, timestamp } = signedFields(request);
      return editedEasemob(request, { security: md5Hex(`${callId}${timestamp}`) });
    }),
    forgery("the Tencent scheme with the Easemob secret (sha256)", "invalid_signature", () => {
      const request = genuine();
      const { callId, timestamp } = signedFields(request);
      return editedEasemob(request, { security: sha256Hex(`${callId}${secret}${timestamp}`) });
    }),
    forgery("the secret itself as the security", "invalid_signature", () => editedEasemob(genuine(), { security: secret })),
    forgery("a valid security over another callId", "invalid_signature", () => {
      const request = genuine();
      return editedEasemob(request, { callId: `${signedFields(request).callId}0` });
    }),
    forgery("a valid security over another timestamp", "invalid_signature", () => {
      const request = genuine();
      return editedEasemob(request, { timestamp: signedFields(request).timestamp + 1 });
    }),
    forgery("a valid security cut by one character", "invalid_signature", () => {
      const request = genuine();
      const { callId, timestamp } = signedFields(request);
      return editedEasemob(request, { security: signEasemobCallback({ callId, timestamp }, secret).slice(0, 31) });
    }),
    forgery("a valid security with one more character", "invalid_signature", () => {
      const request = genuine();
      const { callId, timestamp } = signedFields(request);
      return editedEasemob(request, { security: `${signEasemobCallback({ callId, timestamp }, secret)}0` });
    }),
    forgery("correctly signed for an app key the receiver does not serve", "app_mismatch", () => genuine({ appKey: "someone#else" })),
  ];
}

export function tencentForgeries(credentials: ReliabilityCredentials = reliabilityCredentials): Forgery[] {
  const token = credentials.tencentToken;
  const sdkAppId = credentials.tencentSdkAppIds[0];
  const now = () => Math.floor(Date.now() / 1000);
  const genuine = (overrides: { sdkAppId?: string; token?: string; requestTime?: number } = {}) =>
    buildTencentCallback({
      sdkAppId: overrides.sdkAppId ?? sdkAppId,
      token: overrides.token ?? token,
      requestTime: overrides.requestTime ?? now(),
      command: "Sns.CallbackFriendAdd",
      body: {
        CallbackCommand: "Sns.CallbackFriendAdd",
        PairList: [{ From_Account: "mallory", To_Account: "victim", Initiator_Account: "mallory" }],
        ClientCmd: "friend_add",
        RequestId: `forged-${nextMessageId()}`,
      },
    });
  const forgery = (name: string, code: Forgery["code"], build: () => ProviderRequest): Forgery => ({
    name: `Tencent: ${name}`,
    route: "tencent",
    code,
    status: code === "app_mismatch" ? 403 : 401,
    build,
  });
  return [
    forgery("no Sign and no RequestTime", "missing_signature", () => editedTencent(genuine(), { Sign: undefined, RequestTime: undefined })),
    forgery("a Sign without RequestTime", "missing_signature", () => editedTencent(genuine(), { RequestTime: undefined })),
    forgery("a RequestTime without Sign", "missing_signature", () => editedTencent(genuine(), { Sign: undefined })),
    forgery("a random Sign", "invalid_signature", () => editedTencent(genuine(), { Sign: sha256Hex(String(Math.random())) })),
    forgery("signed with another token", "invalid_signature", () => genuine({ token: "a-token-the-app-does-not-know" })),
    forgery("a valid Sign over another RequestTime", "invalid_signature", () => {
      const signedAt = now();
      return editedTencent(genuine({ requestTime: signedAt }), { RequestTime: String(signedAt - 1) });
    }),
    forgery("HMAC-SHA256 instead of SHA-256", "invalid_signature", () => {
      const requestTime = now();
      return editedTencent(genuine(), { Sign: hmacSha256(token, String(requestTime)).toString("hex"), RequestTime: String(requestTime) });
    }),
    forgery("the token itself as the Sign", "invalid_signature", () => editedTencent(genuine(), { Sign: token })),
    forgery("a RequestTime that is not a number", "invalid_signature", () =>
      editedTencent(genuine(), { RequestTime: "soon", Sign: signTencentRequest(token, "soon") }),
    ),
    forgery("correctly signed two minutes ago (a replay)", "stale_request", () => genuine({ requestTime: now() - 120 })),
    forgery("correctly signed two minutes ahead", "stale_request", () => genuine({ requestTime: now() + 120 })),
    forgery("correctly signed for another SdkAppid", "app_mismatch", () => genuine({ sdkAppId: "1400000099" })),
    forgery("no SdkAppid", "app_mismatch", () => editedTencent(genuine(), { SdkAppid: undefined })),
  ];
}
