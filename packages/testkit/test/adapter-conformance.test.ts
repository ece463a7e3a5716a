import { describeAdapterConformance } from "../src/index";
import { createReferenceAdapter, signedReferenceRequest } from "./reference-adapter";

const secret = "reference-secret";
const body = JSON.stringify({ app: "demo", actor: "alice", target: "bob", id: "m-1", at: 1_700_000_000_000 });

describeAdapterConformance("reference adapter", {
  createAdapter: () => createReferenceAdapter(secret),
  signedCallbacks: [{ name: "a friend added", request: () => signedReferenceRequest(secret, body) }],
  refusedCallbacks: [
    { name: "an unsigned callback", code: "missing_signature", request: () => ({ ...signedReferenceRequest(secret, body), headers: {} }) },
    { name: "a callback signed with another secret", code: "invalid_signature", request: () => signedReferenceRequest("other", body) },
    {
      name: "a body changed after signing",
      code: "invalid_signature",
      request: () => ({ ...signedReferenceRequest(secret, body), body: new TextEncoder().encode(body.replace("bob", "eve")) }),
    },
  ],
  requestWithBody: (bytes) => signedReferenceRequest(secret, bytes),
  tooManyEvents: {
    createAdapter: () => createReferenceAdapter(secret, 2),
    request: () => signedReferenceRequest(secret, JSON.stringify({ ...JSON.parse(body), target: ["bob", "carol", "dave"] })),
  },
});
