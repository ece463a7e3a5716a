import {
  constantTimeEqual,
  createFriendEvent,
  createProviderRequest,
  type FriendEvent,
  FriendhookError,
  type ProviderAdapterV1,
  type ProviderRequest,
  readJsonBody,
  sha256Hex,
} from "@friendhook/core";
import { afterEach } from "vitest";
import type { Receiver } from "../src/index";

export const secret = "fixture-secret";
const start = Date.UTC(2024, 0, 1);

export type EventType = FriendEvent["type"];

/** A valid event of `type` between two users, `second` seconds after 2024-01-01, with an id unique to `name`. */
export function relationEvent(type: EventType, actor: string, target: string, second: number, name: string, mutual = false, appId = "demo#app"): FriendEvent {
  const occurredAt = new Date(start + second * 1000).toISOString();
  const details = type === "friend.operation.failed" ? { attemptedType: "friend.blocked" as const, failureCode: "error" } : {};
  return createFriendEvent(type, {
    provider: "fixture",
    appId,
    actor,
    target,
    mutual,
    providerTime: { occurredAt, source: "provider-milliseconds" },
    receivedAt: occurredAt,
    source: { command: type },
    details: details as FriendEvent["details"],
    identity: [name],
  }) as FriendEvent;
}

/**
 * A small complete adapter: the body `{"app","type","actor","target","id","at","mutual"}` signed by
 * `x-signature: sha256_hex(secret + body)`; a `type` it does not know makes the callback unrecognized.
 */
export function createFixtureAdapter(): ProviderAdapterV1 {
  return {
    specificationVersion: "v1",
    provider: "fixture",
    async receive(request) {
      const signature = request.headers["x-signature"];
      if (!signature) throw new FriendhookError("missing_signature", "The x-signature header is missing.");
      if (!constantTimeEqual(signature, sha256Hex(secret + Buffer.from(request.body).toString("utf8")))) {
        throw new FriendhookError("invalid_signature", "The x-signature header does not match the body.");
      }
      const { app, type, actor, target, id, at, mutual } = readJsonBody(request.body, "fixture");
      if (typeof app !== "string" || typeof type !== "string" || typeof actor !== "string" || typeof target !== "string" || typeof id !== "string" || typeof at !== "number") {
        throw new FriendhookError("invalid_payload", "The body needs string app, type, actor, target, id and a numeric at.");
      }
      const acknowledgement = { status: 200, headers: { "content-type": "text/plain" }, body: "ok" };
      if (!type.startsWith("friend.")) {
        return { provider: "fixture", appId: app, command: type, events: [], unrecognized: { command: type, reason: "not a friend event" }, acknowledgement };
      }
      const event = relationEvent(type as EventType, actor, target, at, id, mutual === true, app);
      return { provider: "fixture", appId: app, command: type, events: [{ ...event, receivedAt: request.receivedAt.toISOString() }], acknowledgement };
    },
    refuse(error) {
      return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify({ fixtureError: error.code }) };
    },
  };
}

export interface CallbackInit {
  readonly type?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly id?: string;
  readonly at?: number;
  readonly mutual?: boolean;
  readonly app?: string;
}

let counter = 0;

/** A correctly signed callback for the fixture adapter. */
export function signedCallback(init: CallbackInit = {}, request: Partial<ProviderRequest> = {}): ProviderRequest {
  counter += 1;
  const body = JSON.stringify({
    app: init.app ?? "demo#app",
    type: init.type ?? "friend.added",
    actor: init.actor ?? "alice",
    target: init.target ?? "bob",
    id: init.id ?? `message-${counter}`,
    at: init.at ?? counter,
    mutual: init.mutual ?? true,
  });
  return { ...createProviderRequest({ body, headers: { "content-type": "application/json", "x-signature": sha256Hex(secret + body) } }), ...request };
}

/** Waits until `condition` holds, checking every 10 ms; fails with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A list whose receivers are closed after each test of the file that asks for it. */
export function closeReceiversAfterEach(): Receiver[] {
  const opened: Receiver[] = [];
  afterEach(async () => {
    for (const receiver of opened.splice(0)) await receiver.close();
  });
  return opened;
}
