import { deriveEventId, type FriendEvent } from "../src/index";

const start = Date.UTC(2024, 0, 1);

export type EventType = FriendEvent["type"];

/** A valid event of `type` between two users, `second` seconds after 2024-01-01, with an id unique to `name`. */
export function relationEvent(
  type: EventType,
  actor: string,
  target: string,
  second: number,
  name: string,
  mutual = false,
  appId = "demo#app",
  overrides: Partial<FriendEvent> = {},
): FriendEvent {
  const occurredAt = new Date(start + second * 1000).toISOString();
  return {
    id: deriveEventId({ provider: "fixture", appId, type, parts: [name] }),
    type,
    provider: "fixture",
    appId,
    actor,
    target,
    mutual,
    occurredAt,
    occurredAtSource: "provider-milliseconds",
    receivedAt: occurredAt,
    source: { command: type },
    details: type === "friend.operation.failed" ? { attemptedType: "friend.blocked", failureCode: "error" } : {},
    ...overrides,
  } as FriendEvent;
}
