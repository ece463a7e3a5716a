import {
  type SampleCallback,
  defineProviderDescriptor,
  listVariable,
  secretListVariable,
  wholeNumberVariable,
} from "@friendhook/core";
import { createEasemobAdapter } from "./easemob-adapter";
import { type EasemobCallbackInit, buildEasemobCallback } from "./easemob-test-callbacks";

type EasemobOptions = Parameters<typeof createEasemobAdapter>[0];

const demoAppKey = "demo-org#demo-app";

const appKeyList = listVariable((entry) =>
  /^[^#\s]+#[^#\s]+$/.test(entry)
    ? undefined
    : `("${entry.slice(0, 60)}") is not an app key of the form "org#app"; in a .env file, quote it: EASEMOB_APPKEY="org#app"`,
);

/** Message ids unique to this run, so that every run stores new events (a retry would store none). */
function messageIds(): () => string {
  const runPrefix = String(Date.now());
  let counter = 0;
  return () => `${runPrefix}${String((counter += 1)).padStart(4, "0")}`;
}

/**
 * Every roster operation, as a story: alice and bob become friends (both views of one accept), bob
 * declines carol (both views), alice adds then removes dave, blocks erin, blocks and unblocks dave,
 * and fails to block frank. Afterwards alice has bob as a friend and erin blocked.
 */
function storyCallbacks(secret: string, appKey: string): SampleCallback[] {
  const nextMessageId = messageIds();
  // The story happened over the last minute, one action a second.
  let clock = Date.now() - 60_000;
  const nextAction = () => ({ messageId: nextMessageId(), timestamp: (clock += 1000) });
  // Easemob sends `from` as a JID; the adapter turns it back into the bare user id.
  const jid = (user: string) => `${appKey}_${user}@easemob.com`;
  const sample = (description: string, init: Omit<EasemobCallbackInit, "secret" | "appKey">): SampleCallback => ({
    label: init.errorCode !== undefined && init.errorCode !== "ok" ? `${init.operation} (failed)` : init.operation,
    description,
    request: buildEasemobCallback({ secret, appKey, ...init, from: jid(init.from) }),
  });
  const aliceAsks = sample("alice asks bob to be friends", { operation: "add", from: "alice", to: "bob", reason: "Hi Bob, it's Alice", ...nextAction() });
  const bobAccepts = nextAction();
  const acceptance = [
    sample("bob accepts (the view sent to bob)", { operation: "accept", from: "alice", to: "bob", rosterVersion: "R1", ...bobAccepts }),
    sample("bob accepts (the view sent to alice: same msg_id, stored once)", {
      operation: "remote_accept",
      from: "bob",
      to: "alice",
      rosterVersion: "R2",
      ...bobAccepts,
    }),
  ];
  const carolAsks = sample("carol asks bob to be friends", { operation: "add", from: "carol", to: "bob", ...nextAction() });
  const bobDeclines = nextAction();
  return [
    aliceAsks,
    ...acceptance,
    carolAsks,
    sample("bob declines carol (the view sent to bob)", { operation: "decline", from: "carol", to: "bob", ...bobDeclines }),
    sample("bob declines carol (the view sent to carol)", { operation: "remote_decline", from: "bob", to: "carol", ...bobDeclines }),
    sample("dave asks alice to be friends", { operation: "add", from: "dave", to: "alice", ...nextAction() }),
    sample("alice accepts dave", { operation: "accept", from: "dave", to: "alice", ...nextAction() }),
    sample("alice removes dave", { operation: "remove", from: "alice", to: "dave", rosterVersion: "R3", ...nextAction() }),
    sample("alice blocks erin", { operation: "ban", from: "alice", to: "erin", ...nextAction() }),
    sample("alice blocks dave", { operation: "ban", from: "alice", to: "dave", ...nextAction() }),
    sample("alice unblocks dave", { operation: "allow", from: "alice", to: "dave", ...nextAction() }),
    sample("alice tries to block frank; Easemob reports a failure", {
      operation: "ban",
      from: "alice",
      to: "frank",
      errorCode: "service_unavailable",
      ...nextAction(),
    }),
  ];
}

/**
 * Easemob configured from the environment: `EASEMOB_SECRET` turns it on. See `ProviderDescriptor`
 * in `@friendhook/core`.
 */
export const easemobDescriptor = defineProviderDescriptor({
  name: "easemob",
  title: "Easemob",
  turnedOnBy: "EASEMOB_SECRET",
  variables: {
    /** The callback rules' secrets: one per rule, or the old and the new one while rotating. */
    EASEMOB_SECRET: { schema: secretListVariable(), secret: true },
    /** The app keys (`org#app`) served; every app key when unset. */
    EASEMOB_APPKEY: { schema: appKeyList },
    // A week leaves room for the window while Easemob resends the callbacks of its exception
    // storage (kept three days); a window that never closes is refused.
    EASEMOB_MAXIMUM_AGE_SECONDS: { schema: wholeNumberVariable(1, 7 * 86_400, " of seconds") },
    EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: { schema: wholeNumberVariable(1, 100_000) },
  },
  signatureFields: ["security"],
  demo: { EASEMOB_SECRET: "demo-easemob-secret-DEMO-ONLY", EASEMOB_APPKEY: demoAppKey },
  configure(values) {
    if (values.EASEMOB_SECRET === undefined) {
      const given = (["EASEMOB_APPKEY", "EASEMOB_MAXIMUM_AGE_SECONDS", "EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK"] as const).filter(
        (name) => values[name] !== undefined,
      );
      return {
        problems: given.map((name) =>
          name === "EASEMOB_APPKEY"
            ? "EASEMOB_SECRET: is required when EASEMOB_APPKEY is set (the secret of the Easemob callback rule)"
            : `EASEMOB_SECRET: is required when ${name} is set`,
        ),
      };
    }
    const options: EasemobOptions = {
      secrets: values.EASEMOB_SECRET,
      ...(values.EASEMOB_APPKEY !== undefined && { appKeys: values.EASEMOB_APPKEY }),
      ...(values.EASEMOB_MAXIMUM_AGE_SECONDS !== undefined && { maximumAgeSeconds: values.EASEMOB_MAXIMUM_AGE_SECONDS }),
      ...(values.EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK !== undefined && { maximumEventsPerCallback: values.EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK }),
    };
    return { options };
  },
  createAdapter: (options: EasemobOptions) => createEasemobAdapter(options),
  describe: (options) => ({
    secretCount: options.secrets?.length ?? 1,
    appKeys: options.appKeys ?? "any",
    maximumAgeSeconds: options.maximumAgeSeconds ?? "the adapter's default",
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? "the adapter's default",
  }),
  sampleCallbacks: (options) => {
    const appKey = options.appKeys?.[0] ?? demoAppKey;
    return { appId: appKey, callbacks: storyCallbacks(options.secrets?.[0] ?? options.secret ?? "", appKey) };
  },
});
