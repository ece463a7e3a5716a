import type { ProviderAdapterV1 } from "@friendhook/core";
import type { Configuration } from "./config/configuration";

/** One adapter per configured provider, by the provider's name (its route is `/webhooks/<name>`). */
export function adaptersFromConfiguration(configuration: Configuration): Record<string, ProviderAdapterV1> {
  return Object.fromEntries(
    configuration.providers.flatMap((descriptor) => {
      const options = configuration.providerOptions[descriptor.name];
      return options === undefined ? [] : [[descriptor.name, descriptor.createAdapter(options)]];
    }),
  );
}
