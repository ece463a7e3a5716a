import { type PlannedCallback, planEasemobCallback, planTencentCallback } from "./callback-plans";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";
import type { SeededRandom } from "./seeded-random";

const easemobOperations = ["add", "accept", "remote_accept", "decline", "remove", "ban", "allow"] as const;
const tencentCommands = [
  "Sns.CallbackFriendAdd",
  "Sns.CallbackFriendDelete",
  "Sns.CallbackBlackListAdd",
  "Sns.CallbackBlackListDelete",
] as const;

export interface MixedTrafficOptions {
  readonly count: number;
  /** The share of callbacks signed with a wrong secret or token, which the app must refuse. */
  readonly forgedShare: number;
  readonly random: SeededRandom;
  /** Distinguishes the ids of one run from another's. */
  readonly runId: string;
  readonly credentials?: ReliabilityCredentials;
}

function pick<Item>(items: readonly Item[], random: SeededRandom): Item {
  return items[random.below(items.length)] as Item;
}

/**
 * Easemob and Tencent callbacks of every relationship kind, each for its own pair of users with its
 * own message or request id, a share of them forged. Genuine Easemob callbacks alternate between the
 * two configured secrets, as during a rotation.
 */
export async function planMixedTraffic(options: MixedTrafficOptions): Promise<PlannedCallback[]> {
  const { random, runId } = options;
  const credentials = options.credentials ?? reliabilityCredentials;
  // A minute ago: inside Easemob's freshness window of five minutes.
  const baseTime = Math.floor((Date.now() - 60_000) / 1000) * 1000;
  const plans: PlannedCallback[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const forged = random.next() < options.forgedShare;
    const key = `${runId}-${index}`;
    const [first, second] = [`u${runId}x${index}`, `u${runId}y${index}`];
    if (random.below(2) === 0) {
      const appKey = credentials.easemobAppKeys[0];
      plans.push(
        await planEasemobCallback({
          key,
          genuine: !forged,
          secret: forged ? `forged-secret-${index}` : (credentials.easemobSecrets[index % 2] as string),
          operation: pick(easemobOperations, random),
          from: random.below(2) === 0 ? first : `${appKey}_${first}@easemob.com`,
          to: second,
          appKey,
          messageId: `${runId.replace(/\D/g, "")}${String(index).padStart(9, "0")}`,
          timestamp: baseTime + index,
        }),
      );
    } else {
      const command = pick(tencentCommands, random);
      const pairs = [
        { From_Account: first, To_Account: second },
        { From_Account: second, To_Account: first },
      ];
      plans.push(
        await planTencentCallback({
          key,
          genuine: !forged,
          sdkAppId: credentials.tencentSdkAppIds[0],
          token: forged ? `forged-token-${index}` : credentials.tencentToken,
          command,
          body: {
            CallbackCommand: command,
            PairList: command === "Sns.CallbackFriendAdd" ? pairs.map((pair) => ({ ...pair, Initiator_Account: first })) : pairs,
            ...(command === "Sns.CallbackFriendAdd" && { ClientCmd: "friend_add" }),
            ClientIP: "127.0.0.1",
            OptPlatform: "RESTAPI",
            RequestId: `req-${key}`,
          },
        }),
      );
    }
  }
  return plans;
}
