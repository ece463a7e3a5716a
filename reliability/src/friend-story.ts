import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import fc from "fast-check";
import type { Route } from "./callback-plans";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";

export type RelationshipChange = "add" | "remove" | "block" | "unblock";

/** One relationship change between two users, in the order it happened. */
export interface StoryStep {
  readonly provider: Route;
  readonly change: RelationshipChange;
  /** Indexes into the story's users. */
  readonly actor: number;
  readonly target: number;
  /** Tencent only: the change is reported for both directions (two pairs), as a two-way add or delete. */
  readonly bothWays: boolean;
  /** Easemob only: which view of an accepted request is sent (both describe one change, with one id). */
  readonly view: "accept" | "remote_accept";
}

export const storyUserCount = 4;

/** A story of up to `maximumSteps` changes among four users, on both providers. */
export function storyArbitrary(maximumSteps = 12): fc.Arbitrary<StoryStep[]> {
  const step = fc
    .record({
      provider: fc.constantFrom<Route>("easemob", "tencent"),
      change: fc.constantFrom<RelationshipChange>("add", "remove", "block", "unblock"),
      actor: fc.integer({ min: 0, max: storyUserCount - 1 }),
      offset: fc.integer({ min: 1, max: storyUserCount - 1 }),
      bothWays: fc.boolean(),
      view: fc.constantFrom<"accept" | "remote_accept">("accept", "remote_accept"),
    })
    .map(({ offset, ...rest }) => ({ ...rest, target: (rest.actor + offset) % storyUserCount }));
  return fc.array(step, { minLength: 1, maxLength: maximumSteps });
}

export interface StoryNamespace {
  /** Prefixes the user ids, so that each telling of a story has users of its own. */
  readonly userPrefix: string;
  readonly easemobAppKey: string;
  readonly tencentSdkAppId: string;
  /** When the story's first step happened, epoch milliseconds: see `storyStartFor`. */
  readonly storyStart: number;
}

export const userId = (namespace: StoryNamespace, index: number) => `${namespace.userPrefix}u${index}`;

/**
/**
 * Every step happened 12 s after the previous one: further apart than the friend table can confuse
 * (two changes whose times differ by more than their precision and twice the 5 s clock skew, see
 * @friendhook/core "The friend table"), so the providers' times order them whatever order the
 * callbacks arrive in.
 */
const stepSpacingMs = 12_000;
const stepTime = (namespace: StoryNamespace, index: number) => namespace.storyStart + index * stepSpacingMs;

/**
 * A start for a story of `stepCount` steps told now: on a whole second (Tencent sends whole
 * seconds), with its last step ten seconds ago. Every step then lies in the past (a provider time
 * in the future counts only up to the receive time plus the skew) and inside Easemob's freshness
 * window of five minutes, for a story of up to twenty steps told within two minutes.
 */
export function storyStartFor(stepCount: number, now = Date.now()): number {
  return Math.floor(now / 1000) * 1000 - 10_000 - Math.max(0, stepCount - 1) * stepSpacingMs;
}

const easemobOperations = { add: "accept", remove: "remove", block: "ban", unblock: "allow" } as const;
const tencentCommands = {
  add: "Sns.CallbackFriendAdd",
  remove: "Sns.CallbackFriendDelete",
  block: "Sns.CallbackBlackListAdd",
  unblock: "Sns.CallbackBlackListDelete",
} as const;

/**
 * The callback a provider sends for one step, as a function that builds one attempt (Tencent signs
 * each attempt afresh). Easemob reports an accepted request to both users: `view` picks the copy.
 */
export function callbackForStep(
  step: StoryStep,
  index: number,
  namespace: StoryNamespace,
  view: StoryStep["view"] = step.view,
  credentials: ReliabilityCredentials = reliabilityCredentials,
): () => ProviderRequest {
  const actor = userId(namespace, step.actor);
  const target = userId(namespace, step.target);
  if (step.provider === "easemob") {
    const operation = easemobOperations[step.change];
    // `accept` goes to the user who accepted (the actor): `from` is the requester. `remote_accept`
    // goes to the requester: `from` is the user who accepted. `remove`, `ban`, `allow`: `from` acts.
    const [from, to] = operation === "accept" ? (view === "accept" ? [target, actor] : [actor, target]) : [actor, target];
    const request = buildEasemobCallback({
      secret: credentials.easemobSecrets[index % 2] as string,
      operation: operation === "accept" ? view : operation,
      from,
      to,
      appKey: namespace.easemobAppKey,
      messageId: `${namespace.userPrefix.replace(/\D/g, "")}${String(index).padStart(6, "0")}`,
      timestamp: stepTime(namespace, index),
    });
    return () => request;
  }
  const command = tencentCommands[step.change];
  const seconds = stepTime(namespace, index) / 1000;
  const pairs = [{ From_Account: actor, To_Account: target, TimeStamp: seconds }];
  if (step.bothWays && (step.change === "add" || step.change === "remove")) {
    pairs.push({ From_Account: target, To_Account: actor, TimeStamp: seconds });
  }
  const body = {
    CallbackCommand: command,
    PairList: step.change === "add" ? pairs.map((pair) => ({ ...pair, Initiator_Account: actor })) : pairs,
    RequestId: `${namespace.userPrefix}-${index}`,
    ...(step.change === "add" && { ClientCmd: "friend_add" }),
  };
  return () =>
    buildTencentCallback({ sdkAppId: namespace.tencentSdkAppId, token: credentials.tencentToken, command, body });
}

export interface ExpectedFriendLists {
  /** `provider/user` → whom the user counts as friends and whom they block, sorted. */
  readonly [key: string]: { readonly friends: string[]; readonly blocked: string[] };
}

/**
 * The friend table a reader expects after the story, applied in order: Easemob friendships are
 * mutual and blocks directional; Tencent's are directional pairs.
 */
export function expectedFriendLists(steps: readonly StoryStep[], namespace: StoryNamespace): ExpectedFriendLists {
  const friend = new Set<string>();
  const blocked = new Set<string>();
  const key = (provider: Route, owner: number, other: number) => `${provider}/${owner}/${other}`;
  for (const step of steps) {
    const directions: Array<[number, number]> = [[step.actor, step.target]];
    const mutual = step.provider === "easemob" ? step.change === "add" || step.change === "remove" : step.bothWays && (step.change === "add" || step.change === "remove");
    if (mutual) directions.push([step.target, step.actor]);
    for (const [owner, other] of directions) {
      const relation = key(step.provider, owner, other);
      if (step.change === "add") friend.add(relation);
      if (step.change === "remove") friend.delete(relation);
      if (step.change === "block") blocked.add(relation);
      if (step.change === "unblock") blocked.delete(relation);
    }
  }
  const lists: Record<string, { friends: string[]; blocked: string[] }> = {};
  for (const provider of ["easemob", "tencent"] as const) {
    for (let owner = 0; owner < storyUserCount; owner += 1) {
      const others = [...Array(storyUserCount).keys()].filter((other) => other !== owner);
      lists[`${provider}/${userId(namespace, owner)}`] = {
        friends: others.filter((other) => friend.has(key(provider, owner, other))).map((other) => userId(namespace, other)).sort(),
        blocked: others.filter((other) => blocked.has(key(provider, owner, other))).map((other) => userId(namespace, other)).sort(),
      };
    }
  }
  return lists;
}
