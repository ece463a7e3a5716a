import { deriveEventId, type FriendEvent } from "@friendhook/core";

/**
 * A valid `friend.added` event with a deterministic id; `overrides` replace any field. For sink
 * and store tests that need events without going through an adapter.
 */
export function buildFriendEvent(overrides: Partial<FriendEvent> = {}, sequence = 0): FriendEvent {
  const occurredAt = new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + sequence * 1000).toISOString();
  const base: FriendEvent = {
    id: deriveEventId({ provider: "testkit", appId: "demo#app", type: "friend.added", parts: [sequence] }),
    type: "friend.added",
    provider: "testkit",
    appId: "demo#app",
    actor: `user-${sequence}`,
    target: `user-${sequence + 1}`,
    mutual: true,
    occurredAt,
    occurredAtSource: "provider-milliseconds",
    receivedAt: occurredAt,
    source: { command: "testkit:add", messageId: String(sequence) },
    details: { initiator: `user-${sequence}` },
  };
  return { ...base, ...overrides } as FriendEvent;
}

/** `count` distinct events, of every relationship type in turn, with increasing `occurredAt`. */
export function buildFriendEvents(count: number, offset = 0): FriendEvent[] {
  const types = ["friend.added", "friend.blocked", "friend.unblocked", "friend.removed"] as const;
  return Array.from({ length: count }, (_, index) => {
    const sequence = offset + index;
    const type = types[sequence % types.length] ?? "friend.added";
    return buildFriendEvent(
      {
        type,
        id: deriveEventId({ provider: "testkit", appId: "demo#app", type, parts: [sequence] }),
        mutual: type === "friend.added" || type === "friend.removed",
        details: {},
      } as Partial<FriendEvent>,
      sequence,
    );
  });
}
