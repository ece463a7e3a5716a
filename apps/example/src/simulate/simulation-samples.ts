import type { ProviderDescriptor, SampleCallback } from "@friendhook/core";
import type { Configuration } from "../config/configuration";

/** A sample callback and the provider whose route it goes to: `/webhooks/<provider>`. */
export interface ProviderSample extends SampleCallback {
  readonly provider: string;
}

export interface SimulationSamples {
  /** Every configured provider's story, provider after provider. */
  readonly samples: readonly ProviderSample[];
  /** The `appId` of each configured provider's story, for looking its friends up. */
  readonly appIds: Readonly<Record<string, string>>;
  /** The providers offered but not configured: their samples are left out. */
  readonly leftOut: readonly ProviderDescriptor[];
}

/** The sample callbacks of every configured provider, signed with the configuration's credentials. */
export function simulationSamples(configuration: Configuration): SimulationSamples {
  const samples: ProviderSample[] = [];
  const appIds: Record<string, string> = {};
  const leftOut: ProviderDescriptor[] = [];
  for (const descriptor of configuration.providers) {
    const options = configuration.providerOptions[descriptor.name];
    if (options === undefined) {
      leftOut.push(descriptor);
      continue;
    }
    const story = descriptor.sampleCallbacks(options);
    appIds[descriptor.name] = story.appId;
    samples.push(...story.callbacks.map((callback) => ({ ...callback, provider: descriptor.name })));
  }
  return { samples, appIds, leftOut };
}
