import { type PlannedCallback, planEasemobCallback, planTencentCallback } from "./callback-plans";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";

export interface PairTrafficOptions {
  /** How many pairs of users; each pair lives on one provider (even: Easemob, odd: Tencent). */
  readonly pairs: number;
  /** How many callbacks each pair gets, in the order they are listed. */
  readonly callbacksPerPair: number;
  /** Distinguishes one run's users and ids from another's. */
  readonly runId: string;
  readonly credentials?: ReliabilityCredentials;
}

const easemobOperations = ["accept", "ban", "allow", "remove"] as const;
const tencentCommands = ["Sns.CallbackFriendAdd", "Sns.CallbackBlackListAdd", "Sns.CallbackBlackListDelete", "Sns.CallbackFriendDelete"] as const;

/**
 * Many callbacks for few pairs of users, round-robin over the pairs: the traffic that makes the
 * per-pair delivery order matter. Every callback is genuine.
 */
export async function planPairTraffic(options: PairTrafficOptions): Promise<PlannedCallback[]> {
  const credentials = options.credentials ?? reliabilityCredentials;
  const digits = options.runId.replace(/\D/g, "").slice(-9);
  // Whole seconds (Tencent sends those), a minute ago: inside Easemob's freshness window of five minutes.
  const start = Math.floor((Date.now() - 60_000) / 1000) * 1000;
  const plans: PlannedCallback[] = [];
  for (let step = 0; step < options.callbacksPerPair; step += 1) {
    for (let pair = 0; pair < options.pairs; pair += 1) {
      const [first, second] = [`p${options.runId}a${pair}`, `p${options.runId}b${pair}`];
      const key = `${options.runId}-${pair}-${step}`;
      const time = start + step * 1000 + pair;
      if (pair % 2 === 0) {
        plans.push(
          await planEasemobCallback({
            key,
            genuine: true,
            secret: credentials.easemobSecrets[0],
            operation: easemobOperations[step % easemobOperations.length] as string,
            from: first,
            to: second,
            appKey: credentials.easemobAppKeys[0],
            messageId: `${digits}${String(pair).padStart(4, "0")}${String(step).padStart(5, "0")}`,
            timestamp: time,
          }),
        );
      } else {
        const command = tencentCommands[step % tencentCommands.length] as string;
        plans.push(
          await planTencentCallback({
            key,
            genuine: true,
            sdkAppId: credentials.tencentSdkAppIds[0],
            token: credentials.tencentToken,
            command,
            body: {
              CallbackCommand: command,
              PairList: [{ From_Account: first, To_Account: second, TimeStamp: Math.floor(time / 1000) }],
              RequestId: `pair-${key}`,
            },
          }),
        );
      }
    }
  }
  return plans;
}

/** Deliveries are ordered per (provider, appId, unordered pair of users); the receiver's own key. */
export function pairKeyOf(event: { provider: string; appId: string; actor: string; target: string }): string {
  const [first, second] = event.actor <= event.target ? [event.actor, event.target] : [event.target, event.actor];
  return JSON.stringify([event.provider, event.appId, first, second]);
}

/** The ids of `events` per pair, in the order given, each id once (its first appearance). */
export function firstOrderPerPair(events: ReadonlyArray<{ id: string; provider: string; appId: string; actor: string; target: string }>): Map<string, string[]> {
  const seen = new Set<string>();
  const perPair = new Map<string, string[]>();
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const key = pairKeyOf(event);
    perPair.set(key, [...(perPair.get(key) ?? []), event.id]);
  }
  return perPair;
}
