import {
  type SampleCallback,
  booleanVariable,
  defineProviderDescriptor,
  listVariable,
  secretListVariable,
  wholeNumberVariable,
} from "@friendhook/core";
import { createTencentAdapter } from "./tencent-adapter";
import { buildTencentCallback, tencentCallbackBodies } from "./tencent-test-callbacks";

type TencentOptions = Parameters<typeof createTencentAdapter>[0];

const optionalVariables = [
  "TENCENT_TOKEN",
  "TENCENT_ALLOW_UNAUTHENTICATED",
  "TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS",
  "TENCENT_MAXIMUM_EVENTS_PER_CALLBACK",
] as const;

/**
 * Every `Sns.*` command, as a story: alice asks bob (a "before" callback the receiver answers), bob
 * agrees (another), they become friends; an administrator makes alice and carol friends and they
 * part; alice blocks dave and erin and unblocks erin. Then a message callback that is not about
 * friends at all. Afterwards alice has bob as a friend and dave blocked.
 */
function storyCallbacks(sdkAppId: string, token: string | undefined): SampleCallback[] {
  // What Tencent's traffic carries besides the documented fields; a new RequestId for every callback.
  const traffic = () => ({ clientIp: "203.0.113.7", optPlatform: "iOS", requestId: crypto.randomUUID() });
  const sample = (description: string, body: Record<string, unknown> & { readonly CallbackCommand: string }): SampleCallback => ({
    label: body.CallbackCommand,
    description,
    request: buildTencentCallback({ sdkAppId, ...(token === undefined ? {} : { token }), clientIp: "203.0.113.7", optPlatform: "iOS", body }),
  });
  const bothWays = (one: string, other: string) => [
    { fromAccount: one, toAccount: other },
    { fromAccount: other, toAccount: one },
  ];
  const bodies = tencentCallbackBodies;
  return [
    sample(
      "alice asks bob; the receiver decides before Tencent sends the request",
      bodies.prevFriendAdd({
        fromAccount: "alice",
        friendItems: [{ toAccount: "bob", remark: "Bob", groupName: "Friends", addSource: "AddSource_Type_Search", addWording: "Hi Bob, it's Alice" }],
        ...traffic(),
      }),
    ),
    sample(
      "bob agrees; the receiver decides before Tencent applies it",
      bodies.prevFriendResponse({
        fromAccount: "bob",
        responseFriendItems: [{ toAccount: "alice", remark: "Alice", tagName: "Friends", responseAction: "Response_Action_AgreeAndAdd" }],
        ...traffic(),
      }),
    ),
    sample(
      "alice and bob are friends (both directions)",
      bodies.friendAdd({ pairs: bothWays("alice", "bob"), initiatorAccount: "alice", clientCmd: "friend_response", ...traffic() }),
    ),
    sample(
      "an administrator makes alice and carol friends",
      bodies.friendAdd({ pairs: bothWays("alice", "carol"), adminAccount: "administrator", forceFlag: 1, ...traffic() }),
    ),
    sample("alice and carol are friends no more", bodies.friendDelete({ pairs: bothWays("alice", "carol"), ...traffic() })),
    sample(
      "alice blocks dave and erin",
      bodies.blackListAdd({ pairs: [{ fromAccount: "alice", toAccount: "dave" }, { fromAccount: "alice", toAccount: "erin" }], ...traffic() }),
    ),
    sample("alice unblocks erin", bodies.blackListDelete({ pairs: [{ fromAccount: "alice", toAccount: "erin" }], ...traffic() })),
    sample("a message callback on the same URL: acknowledged, kept as unrecognized", {
      CallbackCommand: "C2C.CallbackAfterSendMsg",
      From_Account: "alice",
      To_Account: "bob",
      MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "see you at 8" } }],
      RequestId: crypto.randomUUID(),
    }),
  ];
}

/**
 * Tencent Cloud IM configured from the environment: `TENCENT_SDKAPPID` turns it on. See
 * `ProviderDescriptor` in `@friendhook/core`.
 */
export const tencentDescriptor = defineProviderDescriptor({
  name: "tencent",
  decidesFriendRequests: true,
  title: "Tencent IM",
  turnedOnBy: "TENCENT_SDKAPPID",
  variables: {
    TENCENT_SDKAPPID: {
      schema: listVariable((entry) =>
        /^\d{1,20}$/.test(entry) ? undefined : `("${entry.slice(0, 30)}") is not an SdkAppid, which is a number such as 1400000000`,
      ),
    },
    /** The callback authentication token, or the old and the new one while rotating. */
    TENCENT_TOKEN: { schema: secretListVariable(), secret: true },
    TENCENT_ALLOW_UNAUTHENTICATED: { schema: booleanVariable() },
    TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: { schema: wholeNumberVariable(1, 3600, " of seconds") },
    TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: { schema: wholeNumberVariable(1, 100_000) },
  },
  authentication: {
    variable: "TENCENT_TOKEN",
    allowUnauthenticatedVariable: "TENCENT_ALLOW_UNAUTHENTICATED",
    risk: "without it Tencent callbacks are not authenticated, and whoever knows the SdkAppid can post friend events; turn on callback authentication in the Chat console and set its token here",
  },
  signatureFields: ["Sign"],
  demo: { TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "demo-tencent-token-DEMO-ONLY" },
  configure(values) {
    if (values.TENCENT_SDKAPPID === undefined) {
      const given = optionalVariables.filter((name) => values[name] !== undefined);
      return { problems: given.map((name) => `TENCENT_SDKAPPID: is required when ${name} is set`) };
    }
    const options: TencentOptions = {
      sdkAppIds: values.TENCENT_SDKAPPID,
      ...(values.TENCENT_TOKEN !== undefined && { token: values.TENCENT_TOKEN }),
      ...(values.TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS !== undefined && { maximumClockSkewSeconds: values.TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS }),
      ...(values.TENCENT_MAXIMUM_EVENTS_PER_CALLBACK !== undefined && { maximumEventsPerCallback: values.TENCENT_MAXIMUM_EVENTS_PER_CALLBACK }),
    };
    return { options };
  },
  createAdapter: (options: TencentOptions) => createTencentAdapter(options),
  describe: (options) => ({
    sdkAppIds: options.sdkAppIds,
    authenticated: options.token !== undefined,
    maximumClockSkewSeconds: options.maximumClockSkewSeconds ?? "the adapter's default",
    maximumEventsPerCallback: options.maximumEventsPerCallback ?? "the adapter's default",
  }),
  sampleCallbacks: (options) => {
    const sdkAppId = options.sdkAppIds[0] ?? "";
    const token = typeof options.token === "string" ? options.token : options.token?.[0];
    return { appId: sdkAppId, callbacks: storyCallbacks(sdkAppId, token) };
  },
});
