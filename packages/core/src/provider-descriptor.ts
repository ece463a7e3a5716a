import type { z } from "zod";
import type { EnvironmentVariableSchema } from "./environment-variable-schemas";
import type { ProviderAdapterV1 } from "./provider-adapter";
import type { ProviderRequest } from "./provider-request";

/** One environment variable a provider reads. */
export interface ProviderVariable<Value = unknown> {
  /** Reads the variable's text (never blank: a blank value counts as unset). Strict: a wrong value is refused, not guessed at. */
  readonly schema: EnvironmentVariableSchema<Value>;
  /**
   * A credential: masked wherever it appears in a log entry, never quoted in a message, and refused
   * in production when it holds the value of the provider's `demo`.
   */
  readonly secret?: boolean;
}

/** A provider's variables by name, each name starting with the provider's own prefix (`TENCENT_`). */
export type ProviderVariables = Readonly<Record<string, ProviderVariable>>;

/** The variables that are set, each as its schema read it. */
export type ProviderVariableValues<Variables extends ProviderVariables> = {
  readonly [Name in keyof Variables]?: z.output<Variables[Name]["schema"]>;
};

/** What `configure` made of the variables. */
export interface ProviderConfiguration<Options> {
  /** The adapter's options; absent when the variables leave the provider off. */
  readonly options?: Options;
  /**
   * What is wrong across several variables (a setting given without the one that turns the
   * provider on), one sentence each, starting with the variable to change: `TENCENT_SDKAPPID: is
   * required when TENCENT_TOKEN is set`.
   */
  readonly problems?: readonly string[];
}

/**
 * For a provider whose callbacks can be received unauthenticated (OpenIM signs nothing; a Tencent
 * token is optional). An application refuses that in production unless the operator says, in so
 * many words, that it is intended.
 */
export interface OptionalAuthentication {
  /** The credential's variable, e.g. `TENCENT_TOKEN`. */
  readonly variable: string;
  /** The boolean variable by which the operator accepts unauthenticated callbacks in production, e.g. `TENCENT_ALLOW_UNAUTHENTICATED`. */
  readonly allowUnauthenticatedVariable: string;
  /** What a missing credential lets a stranger do, and how to set one: the middle of the refusal. */
  readonly risk: string;
}

/** One sample callback, correctly signed, for trying a running receiver. */
export interface SampleCallback {
  /** The provider's command or operation. */
  readonly label: string;
  /** What happens in the story: `alice asks bob to be friends`. */
  readonly description: string;
  /**
   * Built with the adapter's own signed-callback builder. Its `path` is below the provider's route:
   * `/` for the route itself, `/{callbackCommand}` for a provider with `commandInPath`.
   */
  readonly request: ProviderRequest;
}

/** The sample callbacks of one provider: a short story of friend requests, friendships and blocks. */
export interface SampleStory {
  /** The `appId` the story's events carry, for looking them up afterwards. */
  readonly appId: string;
  /** In story order. */
  readonly callbacks: readonly SampleCallback[];
}

/**
 * What an application needs to offer a provider configured from the environment, as the example
 * app does: its variables, how they become the adapter's options, the adapter, the public DEMO
 * credentials of a trial start and sample callbacks to try it with. Each adapter package exports
 * one (`easemobDescriptor`, …), so that an application lists providers instead of knowing them.
 *
 * Function members are methods, so that a descriptor of specific options is a `ProviderDescriptor`.
 */
export interface ProviderDescriptor<Options = unknown, Variables extends ProviderVariables = ProviderVariables> {
  /** The adapter's `provider`: the name of its route (`/webhooks/{name}`) and of its events' provider. */
  readonly name: string;
  /** For people: `Tencent IM`. */
  readonly title: string;
  /** What turns the provider on, as a message tells an operator to set it: `EASEMOB_SECRET`, `OPENIM_ENABLED=true`. */
  readonly turnedOnBy: string;
  /**
   * Whether the provider posts below its route: OpenIM posts each callback to
   * `{webhook URL}/{callbackCommand}`, and the adapter checks the segment. False when absent.
   */
  readonly commandInPath?: boolean;
  /**
   * Whether the provider has "before" callbacks that wait for the application's decision: its
   * adapter's options then take `decide` (a `FriendRequestPolicy`) and `decisionDeadlineMs`. False when absent.
   */
  readonly decidesFriendRequests?: boolean;
  readonly variables: Variables;
  /** Present when the provider's callbacks can go unauthenticated; see `OptionalAuthentication`. */
  readonly authentication?: OptionalAuthentication;
  /**
   * Fields of the provider's requests that carry signature material (Easemob's `security`,
   * Tencent's `Sign`): masked wherever they appear in a log entry, as the secret variables are.
   */
  readonly signatureFields?: readonly string[];
  /**
   * The public DEMO configuration, as variables: what a trial start (`--demo`) uses when the
   * operator configures no provider. Anyone can read it, so production refuses its credentials.
   */
  readonly demo: Readonly<Partial<Record<keyof Variables & string, string>>>;
  /** The adapter's options from the variables that are set, or why they cannot make any. */
  configure(values: ProviderVariableValues<Variables>): ProviderConfiguration<Options>;
  createAdapter(options: Options): ProviderAdapterV1;
  /** The options as a start-up log may show them: no credential, only whether there is one, or how many. */
  describe(options: Options): Readonly<Record<string, unknown>>;
  /** Sample callbacks a receiver configured with `options` accepts, built with the adapter's signed-callback builders. */
  sampleCallbacks(options: Options): SampleStory;
}

/**
 * Declares a descriptor with its types inferred from its variables: `configure` then sees each
 * variable as its schema reads it.
 */
export function defineProviderDescriptor<Options, Variables extends ProviderVariables>(
  descriptor: ProviderDescriptor<Options, Variables>,
): ProviderDescriptor<Options, Variables> {
  return descriptor;
}
