import {
  type ProviderAdapterV1,
  type ProviderRequest,
  constantTimeEqual,
  createProviderRequest,
  deriveEventId,
  FriendhookError,
  readJsonBody,
  sha256Hex,
} from "@friendhook/core";

/**
 * The smallest honest adapter: a body `{"app","actor","target","id","at"}` signed by the header
 * `x-signature: sha256_hex(secret + body)`; `target` may be a list, one event per user. The
 * testkit's own tests run the conformance suite on it, and on broken variants of it to show the
 * suite fails them.
 */
export function createReferenceAdapter(secret: string, maximumEventsPerCallback = 1000): ProviderAdapterV1 {
  return {
    specificationVersion: "v1",
    provider: "reference",
    authenticateHead(head) {
      if (!head.headers["x-signature"]) throw new FriendhookError("missing_signature", "The x-signature header is missing.");
    },
    async receive(request) {
      const signature = request.headers["x-signature"];
      if (!signature) throw new FriendhookError("missing_signature", "The x-signature header is missing.");
      const text = Buffer.from(request.body).toString("utf8");
      if (!constantTimeEqual(signature, sha256Hex(secret + text))) {
        throw new FriendhookError("invalid_signature", "The x-signature header does not match the body.");
      }
      const body = readJsonBody(request.body, "reference");
      const { app, actor, target, id, at } = body;
      const targets: unknown[] = Array.isArray(target) ? target : [target];
      if (targets.length > maximumEventsPerCallback) {
        throw new FriendhookError("too_many_events", `The callback lists ${targets.length} users, more than ${maximumEventsPerCallback}.`);
      }
      if (
        typeof app !== "string" ||
        typeof actor !== "string" ||
        !targets.every((user) => typeof user === "string") ||
        typeof id !== "string" ||
        typeof at !== "number"
      ) {
        throw new FriendhookError("invalid_payload", "The body needs string app, actor, target, id and a numeric at.");
      }
      return {
        provider: "reference",
        appId: app,
        command: "add",
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
            source: { command: "add", messageId: id },
            details: {},
          })),
        acknowledgement: { status: 200, headers: {}, body: "" },
      };
    },
    refuse(error) {
      return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify(error) };
    },
  };
}

export function signedReferenceRequest(secret: string, body: string | Uint8Array): ProviderRequest {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  return createProviderRequest({ body, headers: { "content-type": "application/json", "x-signature": sha256Hex(secret + text) } });
}
