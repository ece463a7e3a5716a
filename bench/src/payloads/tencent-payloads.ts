import { buildTencentCallback } from "@friendhook/tencent";
import { benchCredentials, tencentCallbackPath } from "./bench-credentials";

export const friendAddCommand = "Sns.CallbackFriendAdd";

/**
 * A `Sns.CallbackFriendAdd` body as Tencent sends it (the shape of the documented example, with the
 * `RequestId`, `ClientIP` and `OptPlatform` real traffic carries), with `pairCount` pairs.
 * `requestId` is placed verbatim, so that a load generator can put a per-request marker there.
 */
export function tencentFriendAddBody(pairCount: number, requestId: string): string {
  const pairs: string[] = [];
  for (let index = 0; index < pairCount; index += 1) {
    const from = `user_${String(index).padStart(6, "0")}`;
    const to = `user_${String(index + 500_000).padStart(6, "0")}`;
    pairs.push(JSON.stringify({ From_Account: from, To_Account: to, Initiator_Account: from }));
  }
  return (
    `{"CallbackCommand":"${friendAddCommand}","PairList":[${pairs.join(",")}],` +
    `"ClientCmd":"friend_add","Admin_Account":"","ForceFlag":0,` +
    `"ClientIP":"127.0.0.1","OptPlatform":"iOS","RequestId":"${requestId}"}`
  );
}

/**
 * The callback URL Tencent calls, signed with the benchmark token at `requestTime` (Unix seconds)
 * by the adapter's own builder. The signature is valid for the adapter's clock-skew window (60 s by
 * default), so it is built again just before each measurement.
 */
export function signedTencentPath(requestTime = Math.floor(Date.now() / 1000)): string {
  const { query } = buildTencentCallback({
    sdkAppId: benchCredentials.tencentSdkAppId,
    command: friendAddCommand,
    token: benchCredentials.tencentToken,
    requestTime,
    clientIp: "127.0.0.1",
    optPlatform: "iOS",
    body: "",
  });
  return `${tencentCallbackPath}?${query.toString()}`;
}
