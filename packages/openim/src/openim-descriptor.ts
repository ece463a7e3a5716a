import {
  type SampleCallback,
  booleanVariable,
  defineProviderDescriptor,
  secretListVariable,
  wholeNumberVariable,
} from "@friendhook/core";
import { z } from "zod";
import { createOpenImAdapter } from "./openim-adapter";
import { defaultOpenImAppId } from "./openim-options";
import { openImCallbackBodies, openImCallbackRequest } from "./openim-test-callbacks";

type OpenImOptions = Parameters<typeof createOpenImAdapter>[0] & { readonly appId: string };

/** The variables that turn OpenIM on by being set, unless `OPENIM_ENABLED=false` says otherwise. */
const settingVariables = ["OPENIM_TOKEN", "OPENIM_APP_ID", "OPENIM_MAXIMUM_EVENTS_PER_CALLBACK"] as const;

/** Operation ids unique to this run, so that every run stores new events (a retry would store none). */
function operationIds(): () => string {
  const runPrefix = String(Date.now());
  let counter = 0;
  return () => `${runPrefix}${String((counter += 1)).padStart(4, "0")}`;
}

/**
 * The friend and blacklist callbacks, as a story: alice asks bob (the before-callback the receiver
 * answers, then the after-callback of the same call: one event), bob agrees (both callbacks again),
 * an administrator imports carol and dave as alice's friends, alice deletes dave, blocks erin,
 * blocks and unblocks frank, sets a remark, and a group callback shares the URL. Afterwards alice
 * has bob and carol as friends and erin blocked.
 */
function storyCallbacks(token: string | undefined): SampleCallback[] {
  /** One API call of OpenIM's: its before- and after-callbacks share the operationID. */
  const operation = operationIds();
  type Body = Readonly<Record<string, unknown>> & { readonly callbackCommand: string };
  const sample = (description: string, body: Body, operationId: string): SampleCallback => ({
    label: body.callbackCommand,
    description,
    // Below the route: `/{callbackCommand}`. OpenIM sends the token as the password of its webhook URL (HTTP Basic).
    request: openImCallbackRequest({ body, operationId, basePath: "", ...(token === undefined ? {} : { token, tokenScheme: "basic" as const }) }),
  });
  const bodies = openImCallbackBodies;
  const aliceAsksBob = operation();
  const bobAgrees = operation();
  return [
    sample(
      "alice asks bob; the receiver decides before OpenIM stores the request",
      bodies.beforeAddFriend({ fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob, it's Alice" }),
      aliceAsksBob,
    ),
    sample(
      "the request is stored (same operationID: stored once)",
      bodies.afterAddFriend({ fromUserID: "alice", toUserID: "bob", reqMsg: "Hi Bob, it's Alice" }),
      aliceAsksBob,
    ),
    sample("bob agrees; the receiver decides before OpenIM applies it", bodies.beforeAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), bobAgrees),
    sample("alice and bob are friends", bodies.afterAddFriendAgree({ fromUserID: "alice", toUserID: "bob" }), bobAgrees),
    sample(
      "an administrator imports carol and dave as alice's friends",
      bodies.afterImportFriends({ ownerUserID: "alice", friendUserIDs: ["carol", "dave"] }),
      operation(),
    ),
    sample("alice deletes dave (from her list only)", bodies.afterDeleteFriend({ ownerUserID: "alice", friendUserID: "dave" }), operation()),
    sample("alice blocks erin", bodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "erin" }), operation()),
    sample("alice blocks frank", bodies.beforeAddBlack({ ownerUserID: "alice", blackUserID: "frank" }), operation()),
    sample("alice unblocks frank", bodies.afterRemoveBlack({ ownerUserID: "alice", blackUserID: "frank" }), operation()),
    sample(
      "alice renames bob: not a relationship change, kept as unrecognized",
      bodies.afterSetFriendRemark({ ownerUserID: "alice", friendUserID: "bob", remark: "Bobby" }),
      operation(),
    ),
    sample(
      "a group callback on the same URL: acknowledged, kept as unrecognized",
      { callbackCommand: "callbackAfterCreateGroupCommand", groupID: "g-1", ownerUserID: "alice" },
      operation(),
    ),
  ];
}

/**
 * OpenIM configured from the environment. OpenIM has no secret of its own, so `OPENIM_ENABLED=true`
 * turns it on, as does any of its settings unless `OPENIM_ENABLED=false`. See `ProviderDescriptor`
 * in `@friendhook/core`.
 */
export const openImDescriptor = defineProviderDescriptor({
  name: "openim",
  title: "OpenIM",
  turnedOnBy: "OPENIM_ENABLED=true",
  commandInPath: true,
  decidesFriendRequests: true,
  variables: {
    OPENIM_ENABLED: { schema: booleanVariable() },
    /** Tokens a callback must present (Basic password or Bearer); several while rotating. */
    OPENIM_TOKEN: { schema: secretListVariable(), secret: true },
    /** The `appId` of OpenIM's events: OpenIM names no app, so this names the deployment. */
    OPENIM_APP_ID: { schema: z.string().max(128, "must be at most 128 characters").regex(/^\S+$/, "must not contain whitespace") },
    OPENIM_ALLOW_UNAUTHENTICATED: { schema: booleanVariable() },
    OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: { schema: wholeNumberVariable(1, 100_000) },
  },
  authentication: {
    variable: "OPENIM_TOKEN",
    allowUnauthenticatedVariable: "OPENIM_ALLOW_UNAUTHENTICATED",
    risk: "OpenIM signs nothing, so without a token whoever reaches /webhooks/openim can post friend events; choose a token and put it in OpenIM's webhook URL (https://friendhook:TOKEN@your.host/webhooks/openim)",
  },
  // The webhook URL of the DEMO: http://friendhook:demo-openim-token-DEMO-ONLY@127.0.0.1:3000/webhooks/openim
  demo: { OPENIM_ENABLED: "true", OPENIM_TOKEN: "demo-openim-token-DEMO-ONLY" },
  configure(values) {
    const given = settingVariables.filter((name) => values[name] !== undefined);
    const enabled = values.OPENIM_ENABLED ?? given.length > 0;
    const problems: string[] = [];
    if (values.OPENIM_ENABLED === false && given.length > 0) {
      const them = given.length === 1 ? "it" : "them";
      problems.push(`OPENIM_ENABLED: is false, but ${given.join(" and ")} ${given.length === 1 ? "is" : "are"} set; remove ${them}, or set OPENIM_ENABLED=true`);
    }
    if (values.OPENIM_ALLOW_UNAUTHENTICATED !== undefined && !enabled) {
      problems.push("OPENIM_ALLOW_UNAUTHENTICATED: is set, but OpenIM is not turned on; set OPENIM_ENABLED=true, or remove it");
    }
    if (!enabled || problems.length > 0) return { problems };
    const options: OpenImOptions = {
      appId: values.OPENIM_APP_ID ?? defaultOpenImAppId,
      ...(values.OPENIM_TOKEN !== undefined && { token: values.OPENIM_TOKEN }),
      ...(values.OPENIM_MAXIMUM_EVENTS_PER_CALLBACK !== undefined && { maximumEventsPerCallback: values.OPENIM_MAXIMUM_EVENTS_PER_CALLBACK }),
    };
    return { options };
  },
  // No policy: friend requests are allowed, as OpenIM itself would.
  createAdapter: (options: OpenImOptions) => createOpenImAdapter(options),
  describe: (options) => ({
    appId: options.appId,
    authenticated: options.token !== undefined,
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? "the adapter's default",
  }),
  sampleCallbacks: (options) => ({
    appId: options.appId,
    callbacks: storyCallbacks(typeof options.token === "string" ? options.token : options.token?.[0]),
  }),
});
