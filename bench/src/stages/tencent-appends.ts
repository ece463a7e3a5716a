import type { AppendInput, AppendResult, FriendEvent, FriendEventStore } from "@friendhook/core";
import { buildTencentCallback, createTencentAdapter, tencentCommands } from "@friendhook/tencent";
import { benchCredentials } from "../payloads/bench-credentials";
import { tencentFriendAddBody } from "../payloads/tencent-payloads";

/** The Tencent adapter the ingest measurements use: the bench's app, any clock. */
export function createStagesTencentAdapter() {
  return createTencentAdapter({
    sdkAppIds: [benchCredentials.tencentSdkAppId],
    token: benchCredentials.tencentToken,
    maximumClockSkewSeconds: 86_400,
  });
}

/** A signed `Sns.CallbackFriendAdd` carrying `body`, as the provider sends it. */
export function tencentFriendAddRequest(body: Uint8Array) {
  return buildTencentCallback({
    sdkAppId: benchCredentials.tencentSdkAppId,
    token: benchCredentials.tencentToken,
    path: "/webhooks/tencent",
    body,
    command: tencentCommands.friendAdd,
  });
}

/**
 * An append of the callback's events under new ids (`idPrefix`, the id, `suffix`) with its body and
 * one sink, so that every append stores new events, as a provider's callbacks do.
 */
export function freshTencentAppend(events: readonly FriendEvent[], body: string, suffix: string, idPrefix = ""): AppendInput {
  return {
    events: events.map((event) => ({ ...event, id: `${idPrefix}${event.id}${suffix}` })),
    callback: {
      id: `callback${suffix}`,
      provider: "tencent",
      appId: benchCredentials.tencentSdkAppId,
      command: tencentCommands.friendAdd,
      receivedAt: new Date().toISOString(),
      body,
    },
    sinks: ["bench"],
  };
}

/** A signed `Sns.CallbackFriendAdd` of `pairs` pairs, received by the bench's adapter: its body and its events. */
export async function receivedTencentFriendAdd(pairs: number, requestId: string): Promise<{ body: string; events: readonly FriendEvent[] }> {
  const body = tencentFriendAddBody(pairs, requestId);
  const { events } = await createStagesTencentAdapter().receive(tencentFriendAddRequest(Buffer.from(body)));
  return { body, events };
}

/**
 * A workload that appends the callback's events into `store` at each call, under ids no other call
 * used (`label` and a count of its own), so that every append stores new events.
 */
export function freshAppendsInto(store: FriendEventStore, events: readonly FriendEvent[], body: string, label: string): () => Promise<AppendResult> {
  let appended = 0;
  return () => {
    appended += 1;
    return store.append(freshTencentAppend(events, body, `-${label}-${appended}`));
  };
}
