import type { FriendRequestPolicy, ProviderAdapterV1 } from "@friendhook/core";
import type { Configuration } from "./config/configuration";

/** The app's decisions, for the providers whose "before" callbacks wait for one. */
export interface AdapterDecisions {
  readonly decide: FriendRequestPolicy;
  readonly deadlineMs: number;
}

/**
 * One adapter per configured provider, by the provider's name (its route is `/webhooks/<name>`).
 * A provider with "before" callbacks gets the app's decisions, when there are any.
 */
export function adaptersFromConfiguration(configuration: Configuration, decisions?: AdapterDecisions): Record<string, ProviderAdapterV1> {
  return Object.fromEntries(
    configuration.providers.flatMap((descriptor) => {
      const options = configuration.providerOptions[descriptor.name];
      if (options === undefined) return [];
      const decided =
        decisions && descriptor.decidesFriendRequests === true
          ? { ...(options as object), decide: decisions.decide, decisionDeadlineMs: decisions.deadlineMs }
          : options;
      return [[descriptor.name, descriptor.createAdapter(decided)]];
    }),
  );
}
