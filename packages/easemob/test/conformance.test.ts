import { createProviderRequest } from "@friendhook/core";
import { describeAdapterConformance } from "@friendhook/testkit";
import { buildEasemobCallback, createEasemobAdapter, signEasemobCallback } from "../src/index";
import { type SeedName, seedBody, seedNames, signedSeed, testSecret } from "./seed-callbacks";

const otherSecret = "second-rule-secret";

/** A seed example with fields changed, re-signed with the test secret. */
function resignedSeed(name: SeedName, changes: Record<string, unknown>) {
  const body = { ...seedBody(name), ...changes } as { callId: string; timestamp: number };
  return createProviderRequest({ body: JSON.stringify({ ...body, security: signEasemobCallback(body, testSecret) }) });
}

describeAdapterConformance("easemob", {
  createAdapter: () => createEasemobAdapter({ secrets: [testSecret, otherSecret], appKeys: ["XXXX#XXXX", "acme#chat"] }),
  signedCallbacks: [
    ...seedNames.map((name) => ({ name: `documentation example: ${name}`, request: () => signedSeed(name) })),
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
    { name: "a callback signed with another secret", code: "invalid_signature", request: () => signedSeed("accept", "not-our-secret") },
    { name: "the documentation's own signature", code: "invalid_signature", request: () => createProviderRequest({ body: JSON.stringify(seedBody("ban")) }) },
    {
      name: "a callId changed after signing",
      code: "invalid_signature",
      request: () => {
        const signed = JSON.parse(new TextDecoder().decode(signedSeed("remove").body)) as Record<string, unknown>;
        return createProviderRequest({ body: JSON.stringify({ ...signed, callId: "XXXX#XXXX_1" }) });
      },
    },
    {
      name: "a callback without security",
      code: "missing_signature",
      request: () => createProviderRequest({ body: JSON.stringify({ ...seedBody("add"), security: undefined }) }),
    },
    { name: "a callback for another app key", code: "app_mismatch", request: () => resignedSeed("ban", { appkey: "evil#app" }) },
  ],
  requestWithBody: (body) => createProviderRequest({ body, headers: { "content-type": "application/json" } }),
});
