import { createProviderRequest, earliestTimestampMilliseconds, latestTimestampMilliseconds } from "@friendhook/core";
import { describeAdapterConformance } from "@friendhook/testkit";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";
import { type DocumentedName, documentedText, signedDocumented } from "./documented-callbacks";
import { testSecret } from "./seed-callbacks";

const otherSecret = "second-rule-secret";

/** A documented example with fields changed, re-signed with the test secret. */
function resigned(name: DocumentedName, changes: Record<string, unknown>) {
  const body = { ...(JSON.parse(documentedText(name)) as Record<string, unknown>), ...changes } as { callId: string; timestamp: number };
  return createProviderRequest({
    body: JSON.stringify({ ...body, security: signEasemobCallback(body, testSecret) }),
    receivedAt: new Date(body.timestamp + 1000),
  });
}

/** The documented examples that name two users, so make events. */
const eventExamples = [
  "contact-add",
  "contact-remote-accept",
  "contact-accept",
  "contact-remote-decline",
  "contact-decline",
  "contact-remove",
  "contact-ban",
  "contact-allow",
  "shengwang-contact-add",
  "configurations-2023-remote-accept",
] as const;

describeAdapterConformance("easemob", {
  createAdapter: () => createEasemobAdapter({ secrets: [testSecret, otherSecret], appKeys: ["XXXX#XXXX", "acme#chat"] }),
  signedCallbacks: [
    ...eventExamples.map((name) => ({ name: `documentation example: ${name}`, request: () => signedDocumented(name) })),
    ...(["remote_accept", "decline", "ban"] as const).map((operation) => ({
      name: `${operation} with a JID, signed with the second secret`,
      request: () =>
        buildEasemobCallback({ secret: otherSecret, appKey: "acme#chat", operation, from: "acme#chat_a.b-c_d@easemob.com/ios", to: "e" }),
    })),
    {
      name: "a ban that failed",
      request: () => buildEasemobCallback({ secret: testSecret, appKey: "acme#chat", operation: "ban", from: "a", to: "b", errorCode: "40003" }),
    },
  ],
  refusedCallbacks: [
    { name: "a callback signed with another secret", code: "invalid_signature", request: () => signedDocumented("contact-accept", { secret: "not-our-secret" }) },
    {
      name: "the documentation's own signature",
      code: "invalid_signature",
      request: () => createProviderRequest({ body: documentedText("contact-ban"), receivedAt: new Date(1642648046912 + 1000) }),
    },
    {
      name: "a callId changed after signing",
      code: "invalid_signature",
      request: () => {
        const request = signedDocumented("contact-remove");
        const signed = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
        return createProviderRequest({ body: JSON.stringify({ ...signed, callId: "XXXX#XXXX_1" }), receivedAt: request.receivedAt });
      },
    },
    {
      name: "a callback without security",
      code: "missing_signature",
      request: () => {
        const request = signedDocumented("contact-add");
        const { security: _, ...unsigned } = JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
        return createProviderRequest({ body: JSON.stringify(unsigned), receivedAt: request.receivedAt });
      },
    },
    { name: "a callback for another app key", code: "app_mismatch", request: () => resigned("contact-ban", { appkey: "evil#app", callId: "evil#app_1" }) },
    { name: "an appkey that is not the one callId is signed for", code: "app_mismatch", request: () => resigned("contact-ban", { appkey: "acme#chat" }) },
    {
      name: "a signed callback replayed ten minutes later",
      code: "stale_request",
      request: () => signedDocumented("contact-remove", { receivedAt: new Date(1642648138571 + 600_000) }),
    },
  ],
  unrecognizedCallbacks: [
    {
      name: "a roster operation the adapter does not know",
      request: () => buildEasemobCallback({ secret: testSecret, appKey: "acme#chat", operation: "remark", from: "a", to: "b" }),
    },
    ...(["configurations-2023-user-login", "configurations-muc-create", "group-ban"] as const).map((name) => ({
      name: `documentation example of another family: ${name}`,
      request: () => signedDocumented(name),
    })),
  ],
  // Easemob's timestamp is both the time of the change and the signed time, checked against the
  // receive time: the callback is received when it says it was sent (within what an event can hold).
  callbackAt: (epochMilliseconds) =>
    buildEasemobCallback({
      secret: testSecret,
      appKey: "acme#chat",
      operation: "remove",
      from: "a",
      to: "b",
      timestamp: epochMilliseconds,
      receivedAt: new Date(Math.min(Math.max(epochMilliseconds, earliestTimestampMilliseconds), latestTimestampMilliseconds)),
    }),
  requestWithBody: (body) => createProviderRequest({ body, headers: { "content-type": "application/json" } }),
});
