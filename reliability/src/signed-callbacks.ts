import { buildEasemobCallback, easemobRosterOperations } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { type CallbackShape, type ProviderRoute, callbackShapeOf } from "./callback-shape";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";
import type { SeededRandom } from "./seeded-random";

/** What makes each genuine callback of a run its own: a run tag, the callback's index, an Easemob timestamp. */
export interface GenuineCallbackInit {
  readonly route: ProviderRoute;
  readonly index: number;
  /** Digits that tell this run's callbacks apart (the seed, say). */
  readonly runTag: string;
  readonly random: SeededRandom;
  /** Easemob's signed `timestamp`, in milliseconds: one of its own for every callback of a run. */
  readonly easemobTimestamp: number;
  readonly credentials?: ReliabilityCredentials;
}

const pick = <Item>(random: SeededRandom, items: readonly Item[]): Item => items[random.below(items.length)] as Item;

/**
 * A correctly signed callback of `route`, as the provider sends it, built with the adapters' own
 * builders (`buildEasemobCallback`, `buildTencentCallback`, `openImCallbackRequest`): every relationship
 * operation, both app keys, SdkAppids and Easemob secrets, bare user ids and JIDs, bearer and basic
 * OpenIM tokens. Tencent's `Sign` is made now and holds for a minute.
 */
export function genuineCallback(init: GenuineCallbackInit): CallbackShape {
  const { route, index, random } = init;
  const credentials = init.credentials ?? reliabilityCredentials;
  const user = (role: string) => `u${init.runTag}x${index}${role}`;
  if (route === "easemob") {
    const appKey = credentials.easemobAppKeys[index % 2] as string;
    const from = random.below(3) === 0 ? `${appKey}_${user("a")}@easemob.com` : user("a");
    const request = buildEasemobCallback({
      secret: pick(random, credentials.easemobSecrets),
      operation: pick(random, easemobRosterOperations),
      from,
      to: user("b"),
      appKey,
      messageId: `${init.runTag}${String(index).padStart(8, "0")}`,
      timestamp: init.easemobTimestamp,
      host: "msync.easemob.com",
      ...(random.below(2) === 0 ? { rosterVersion: `v${index}` } : {}),
      ...(random.below(2) === 0 ? { reason: "hello" } : {}),
    });
    return callbackShapeOf(route, request, "/webhooks/easemob");
  }
  if (route === "tencent") {
    const pairCount = 1 + random.below(3);
    const pairs = Array.from({ length: pairCount }, (_, pair) => ({ fromAccount: user(`a${pair}`), toAccount: user(`b${pair}`) }));
    const traffic = {
      ...(random.below(4) === 0 ? {} : { requestId: `req-${init.runTag}-${index}` }),
      clientIp: "203.0.113.7",
      optPlatform: pick(random, ["RESTAPI", "Web", "Android", "iOS"]),
    };
    const seconds = Math.floor(Date.now() / 1000);
    const timed = pairs.map((pair) => (random.below(2) === 0 ? { ...pair, timeStamp: seconds } : pair));
    const bodies = [
      () => tencentCallbackBodies.friendAdd({ pairs, ...traffic }),
      () => tencentCallbackBodies.friendDelete({ pairs: timed, ...traffic }),
      () => tencentCallbackBodies.blackListAdd({ pairs: timed, ...traffic }),
      () => tencentCallbackBodies.blackListDelete({ pairs: timed, ...traffic }),
      () => tencentCallbackBodies.prevFriendAdd({ fromAccount: user("a"), friendItems: [{ toAccount: user("b"), addWording: "hi" }], ...traffic }),
      () =>
        tencentCallbackBodies.prevFriendResponse({
          fromAccount: user("a"),
          responseFriendItems: [{ toAccount: user("b"), responseAction: pick(random, ["Response_Action_Agree", "Response_Action_AgreeAndAdd", "Response_Action_Reject"]) }],
          ...traffic,
        }),
    ];
    const request = buildTencentCallback({
      sdkAppId: credentials.tencentSdkAppIds[index % 2] as string,
      token: credentials.tencentToken,
      body: pick(random, bodies)(),
      clientIp: "203.0.113.7",
      optPlatform: "RESTAPI",
    });
    return callbackShapeOf(route, request, "/webhooks/tencent");
  }
  const owner = user("a");
  const other = user("b");
  const bodies = [
    () => openImCallbackBodies.beforeAddFriend({ fromUserID: owner, toUserID: other, reqMsg: "hi <there> & all" }),
    () => openImCallbackBodies.afterAddFriend({ fromUserID: owner, toUserID: other }),
    () => openImCallbackBodies.beforeAddFriendAgree({ fromUserID: owner, toUserID: other }),
    () => openImCallbackBodies.afterAddFriendAgree({ fromUserID: owner, toUserID: other }),
    () => openImCallbackBodies.afterDeleteFriend({ ownerUserID: owner, friendUserID: other }),
    () => openImCallbackBodies.beforeAddBlack({ ownerUserID: owner, blackUserID: other }),
    () => openImCallbackBodies.afterRemoveBlack({ ownerUserID: owner, blackUserID: other }),
    () => openImCallbackBodies.afterImportFriends({ ownerUserID: owner, friendUserIDs: [other, user("c"), user("d")] }),
    () => openImCallbackBodies.beforeImportFriends({ ownerUserID: owner, friendUserIDs: [other] }),
    () => openImCallbackBodies.afterSetFriendRemark({ ownerUserID: owner, friendUserID: other, remark: "colleague" }),
  ];
  const request = openImCallbackRequest({
    body: pick(random, bodies)(),
    token: credentials.openImToken,
    tokenScheme: random.below(2) === 0 ? "bearer" : "basic",
    operationId: `op-${init.runTag}-${index}`,
  });
  return callbackShapeOf(route, request, request.path);
}
