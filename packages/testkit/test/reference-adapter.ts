import {
  type ProviderAdapterV1,
  type ProviderRequest,
  constantTimeEqual,
  createProviderRequest,
  deriveEventId,
  FriendhookError,
  isEventTimestamp,
  readJsonBody,
  sha256Hex,
} from "@friendhook/core";

export interface ReferenceAdapterOptions {
  /** 1,000 by default. */
  readonly maximumEventsPerCallback?: number;
  /** Refuse an `at` no event can hold (the default); a broken variant turns it off. */
  readonly checkTimes?: boolean;
}

const utf8 = new TextDecoder();

/**
 * The smallest honest adapter: a body `{"app","command","actor","target","id","at"}` signed by the
 * header `x-signature: sha256_hex(secret + body)`; `target` may be a list, one event per user.
 * `command` is `add` when absent; any other command is acknowledged as unrecognized. The testkit's
 * own tests run the conformance suite on it, and on broken variants of it to show the suite fails
 * them.
 */
export function createReferenceAdapter(secret: string, options: ReferenceAdapterOptions = {}): ProviderAdapterV1 {
  const maximumEventsPerCallback = options.maximumEventsPerCallback ?? 1000;
  return {
    specificationVersion: "v1",
    provider: "reference",
    authenticateHead(head) {
      if (!head.headers["x-signature"]) throw new FriendhookError("missing_signature", "The x-signature header is missing.");
    },
    async receive(request) {
      const signature = request.headers["x-signature"];
      if (!signature) throw new FriendhookError("missing_signature", "The x-signature header is missing.");
      if (!constantTimeEqual(signature, sha256Hex(secret + utf8.decode(request.body)))) {
        throw new FriendhookError("invalid_signature", "The x-signature header does not match the body.");
      }
      const body = readJsonBody(request.body, "reference");
      const { app, command = "add", actor, target, id, at } = body;
      if (typeof app !== "string" || typeof command !== "string" || command === "") {
        throw new FriendhookError("invalid_payload", "The body needs a string app and, when present, a string command.");
      }
      const acknowledgement = { status: 200, headers: {}, body: "" };
      if (command !== "add") {
        return { provider: "reference", appId: app, command, events: [], unrecognized: { command, reason: "a command this adapter does not map" }, acknowledgement };
      }
      const targets: unknown[] = Array.isArray(target) ? target : [target];
      if (targets.length > maximumEventsPerCallback) {
        throw new FriendhookError("too_many_events", `The callback lists ${targets.length} users, more than ${maximumEventsPerCallback}.`);
      }
      if (typeof actor !== "string" || !targets.every((user) => typeof user === "string") || typeof id !== "string" || typeof at !== "number") {
        throw new FriendhookError("invalid_payload", "The body needs string actor, target, id and a numeric at.");
      }
      if (options.checkTimes !== false && !isEventTimestamp(at)) {
        throw new FriendhookError("invalid_payload", "The body's at is not a time an event can hold.");
      }
      return {
        provider: "reference",
        appId: app,
        command,
        events: (targets as string[]).map((user) => ({
          id: deriveEventId({ provider: "reference", appId: app, type: "friend.added", parts: [id, user] }),
          type: "friend.added" as const,
          provider: "reference",
          appId: app,
          actor,
          target: user,
          mutual: true,
          occurredAt: new Date(at).toISOString(),
          occurredAtSource: "provider-milliseconds" as const,
          receivedAt: request.receivedAt.toISOString(),
          source: { command, messageId: id },
          details: {},
        })),
        acknowledgement,
      };
    },
    refuse(error) {
      return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify(error) };
    },
  };
}

export function signedReferenceRequest(secret: string, body: string | Uint8Array): ProviderRequest {
  const text = typeof body === "string" ? body : utf8.decode(body);
  return createProviderRequest({ body, headers: { "content-type": "application/json", "x-signature": sha256Hex(secret + text) } });
}

/** The callback every reference test sends, with `changes` applied, as JSON text. */
export function referenceBody(changes: Record<string, unknown> = {}): string {
  return JSON.stringify({ app: "demo", actor: "alice", target: "bob", id: "m-1", at: 1_700_000_000_000, ...changes });
}
