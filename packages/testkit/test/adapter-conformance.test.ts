import { describeAdapterConformance } from "../src/index";
import { createReferenceAdapter, referenceBody, signedReferenceRequest } from "./reference-adapter";

const secret = "reference-secret";
const body = referenceBody();

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
  unrecognizedCallbacks: [{ name: "a mute command", request: () => signedReferenceRequest(secret, referenceBody({ command: "mute" })) }],
  callbackAt: (epochMilliseconds) => signedReferenceRequest(secret, referenceBody({ at: epochMilliseconds })),
  requestWithBody: (bytes) => signedReferenceRequest(secret, bytes),
  tooManyEvents: {
    createAdapter: () => createReferenceAdapter(secret, { maximumEventsPerCallback: 2 }),
    request: () => signedReferenceRequest(secret, referenceBody({ target: ["bob", "carol", "dave"] })),
  },
});
