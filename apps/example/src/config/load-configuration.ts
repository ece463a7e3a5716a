import type { ProviderDescriptor } from "@friendhook/core";
import { providers as appProviders } from "../providers";
import { type Configuration, parseConfiguration } from "./configuration";
import { type DemoUse, type EnvironmentVariables, readEnvironment } from "./environment-files";

export interface LoadedConfiguration {
  readonly configuration: Configuration;
  /** The environment files that were read, for the start-up log. */
  readonly filesRead: readonly string[];
}

/**
 * Reads the environment files of `workingDirectory` (`.env.development` and the DEMO credentials
 * only as `demo` says), then validates everything for the `providers` offered. Throws `ConfigurationError`.
 */
export function loadConfiguration(
  workingDirectory: string = process.cwd(),
  processEnvironment: EnvironmentVariables = process.env,
  demo: DemoUse = "off",
  providers: readonly ProviderDescriptor[] = appProviders,
): LoadedConfiguration {
  const environment = readEnvironment(workingDirectory, processEnvironment, demo, providers);
  return {
    configuration: parseConfiguration(environment.variables, workingDirectory, providers),
    filesRead: environment.filesRead,
  };
}
