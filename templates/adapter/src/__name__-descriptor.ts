import { type SampleCallback, defineProviderDescriptor, listVariable, secretListVariable, wholeNumberVariable } from "@friendhook/core";
import { create__Name__Adapter } from "./__name__-adapter";
import type { __Name__AdapterOptions } from "./__name__-options";
import { __nameCamel__Provider } from "./__name__-provider";
import { signed__Name__Request } from "./__name__-test-callbacks";

type __Name__Options = __Name__AdapterOptions & { readonly secret: readonly string[] };

const demoAppId = "demo-app";

/** The variables that need the secret: set without it, they are a mistake the operator is told of. */
const optionVariables = ["__NAME___APP_IDS", "__NAME___MAXIMUM_EVENTS_PER_CALLBACK"] as const;

/**
 * TODO(__name__): a short story in the provider's own callbacks, built with its signed-callback
 * builder: alice asks bob and bob accepts, alice blocks erin, and one callback the adapter
 * acknowledges as unrecognized. Event ids unique to this run, so that
 * every run stores new events (a retry would store none).
 */
function storyCallbacks(secret: string, appId: string): SampleCallback[] {
  const run = String(Date.now());
  let counter = 0;
  const sample = (description: string, operation: string, from: string, to: string): SampleCallback => ({
    label: operation,
    description,
    request: signed__Name__Request({
      secret,
      path: "/",
      body: { eventId: `${run}-${(counter += 1)}`, appId, operation, from, to, occurredAt: Date.now() },
    }),
  });
  return [
    sample("alice asks bob to be friends", "friend_request", "alice", "bob"),
    sample("bob accepts", "friend_accept", "bob", "alice"),
    sample("alice blocks erin", "block", "alice", "erin"),
    sample("alice renames bob: not a relationship change, kept as unrecognized", "friend_nickname_changed", "alice", "bob"),
  ];
}

/**
 * __Title__ configured from the environment, for an application that lists providers (the example
 * app does): its variables, its options, its DEMO credentials and its sample callbacks. See
 * `ProviderDescriptor` in `@friendhook/core`. TODO(__name__): the variables of the provider's options.
 */
export const __nameCamel__Descriptor = defineProviderDescriptor({
  name: __nameCamel__Provider,
  title: "__Title__",
  turnedOnBy: "__NAME___SECRET",
  variables: {
    /** The signing secret; several while one is rotated. */
    __NAME___SECRET: { schema: secretListVariable(), secret: true },
    /** The apps served; every app when unset. */
    __NAME___APP_IDS: { schema: listVariable() },
    __NAME___MAXIMUM_EVENTS_PER_CALLBACK: { schema: wholeNumberVariable(1, 100_000) },
  },
  demo: { __NAME___SECRET: "demo-__name__-secret-DEMO-ONLY", __NAME___APP_IDS: demoAppId },
  configure(values) {
    if (values.__NAME___SECRET === undefined) {
      const given = optionVariables.filter((name) => values[name] !== undefined);
      return { problems: given.map((name) => `__NAME___SECRET: is required when ${name} is set`) };
    }
    const options: __Name__Options = {
      secret: values.__NAME___SECRET,
      ...(values.__NAME___APP_IDS !== undefined && { appIds: values.__NAME___APP_IDS }),
      ...(values.__NAME___MAXIMUM_EVENTS_PER_CALLBACK !== undefined && { maximumEventsPerCallback: values.__NAME___MAXIMUM_EVENTS_PER_CALLBACK }),
    };
    return { options };
  },
  createAdapter: (options: __Name__Options) => create__Name__Adapter(options),
  describe: (options) => ({
    secretCount: options.secret.length,
    appIds: options.appIds ?? "any",
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? "the adapter's default",
  }),
  sampleCallbacks: (options) => {
    const appId = options.appIds?.[0] ?? demoAppId;
    return { appId, callbacks: storyCallbacks(options.secret[0] ?? "", appId) };
  },
});
