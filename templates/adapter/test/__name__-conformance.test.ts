import { describeAdapterConformance } from "@friendhook/testkit";
import { readFileSync } from "node:fs";
import { create__Name__Adapter, signed__Name__Request } from "../src/index";

const secret = "whsec_template_3c9f1b7a";

/** TODO(__name__): one captured body per operation the adapter maps. */
const captured = ["friend-request", "friend-accept", "friend-decline", "friend-remove", "block", "unblock"].map((name) => ({
  name,
  body: readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url)),
}));

const [first] = captured;
if (!first) throw new Error("no captured callback to check");
const firstBody = () => JSON.parse(first.body.toString("utf8")) as Record<string, unknown>;

describeAdapterConformance("__name__", {
  createAdapter: () => create__Name__Adapter({ secret, appIds: ["demo-app"] }),
  signedCallbacks: captured.map(({ name, body }) => ({ name, request: () => signed__Name__Request({ body, secret }) })),
  refusedCallbacks: [
    {
      name: "a callback signed with another secret",
      code: "invalid_signature",
      request: () => signed__Name__Request({ body: first.body, secret: "another-secret" }),
    },
    {
      name: "a body changed after signing",
      code: "invalid_signature",
      request: () => ({
        ...signed__Name__Request({ body: first.body, secret }),
        body: new TextEncoder().encode(first.body.toString("utf8").replace("bob", "eve")),
      }),
    },
    {
      name: "a callback without a signature",
      code: "missing_signature",
      request: () => {
        const request = signed__Name__Request({ body: first.body, secret });
        return { ...request, headers: { "content-type": "application/json" } };
      },
    },
    {
      name: "a callback signed an hour ago (a replay)",
      code: "stale_request",
      request: () => signed__Name__Request({ body: first.body, secret, signedAt: new Date(Date.now() - 3_600_000) }),
    },
    {
      name: "a callback for another app",
      code: "app_mismatch",
      request: () => signed__Name__Request({ body: first.body.toString("utf8").replace("demo-app", "other-app"), secret }),
    },
  ],
  // TODO(__name__): captured callbacks of operations the adapter does not map, if the provider sends any.
  unrecognizedCallbacks: [
    {
      name: "an operation the adapter does not map",
      request: () => signed__Name__Request({ body: { ...firstBody(), operation: "friend_nickname_changed" }, secret }),
    },
  ],
  callbackAt: (epochMilliseconds) => signed__Name__Request({ body: { ...firstBody(), occurredAt: epochMilliseconds }, secret }),
  requestWithBody: (body) => signed__Name__Request({ body, secret }),
  // TODO(__name__): the largest captured callback, with the cap set below its number of events.
  tooManyEvents: {
    createAdapter: () => create__Name__Adapter({ secret, maximumEventsPerCallback: 1 }),
    request: () => signed__Name__Request({ body: readFileSync(new URL("./fixtures/friend-accept.json", import.meta.url)), secret }),
  },
});
