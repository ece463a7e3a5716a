import { readJsonBody, deriveEventId, createProviderRequest } from "@friendhook/core";
import { parseTencentCallback, verifyTencentSignature, tencentAcknowledgement, createTencentAdapter } from "@friendhook/tencent";
import { signedTencentPath, tencentFriendAddBody } from "./payloads/tencent-payloads";
import { benchCredentials } from "./payloads/bench-credentials";
const body = Buffer.from(tencentFriendAddBody(1, "1a2b3c4d-0000-4000-8000-00000000bench"));
const url = new URL(signedTencentPath(), "http://x");
const parsed = readJsonBody(body);
const adapter = createTencentAdapter({ sdkAppIds: [benchCredentials.tencentSdkAppId], token: benchCredentials.tencentToken });
const request = createProviderRequest({ path: url.pathname, query: url.searchParams, body });
function t(name: string, f: () => unknown) { for (let i = 0; i < 20000; i++) f(); const n = 100000; const a = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); console.log(name.padEnd(30), (Number(process.hrtime.bigint() - a) / n).toFixed(0), "ns"); }
async function ta(name: string, f: () => Promise<unknown>) { for (let i = 0; i < 20000; i++) await f(); const n = 50000; const a = process.hrtime.bigint(); for (let i = 0; i < n; i++) await f(); console.log(name.padEnd(30), (Number(process.hrtime.bigint() - a) / n).toFixed(0), "ns"); }
for (let r = 0; r < 2; r++) {
t("JSON.parse", () => JSON.parse(body.toString()));
t("readJsonBody", () => readJsonBody(body));
t("verifyTencentSignature", () => verifyTencentSignature(url.searchParams, { token: benchCredentials.tencentToken, maximumClockSkewSeconds: 60, now: new Date() }));
t("parseTencentCallback", () => parseTencentCallback("Sns.CallbackFriendAdd", parsed));
t("deriveEventId", () => deriveEventId({ provider: "tencent", appId: "1400000001", type: "friend.added", parts: ["request", "abc", "Sns.CallbackFriendAdd", "a", "b"] }));
t("ack", () => tencentAcknowledgement());
t("query.get x6", () => { for (const k of ["SdkAppid", "CallbackCommand", "RequestId", "ClientIP", "OptPlatform", "Sign"]) url.searchParams.get(k); });
await ta("receive", () => adapter.receive(request));
}
