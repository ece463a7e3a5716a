import { type Configuration, parseConfiguration } from "./configuration";
import { type DemoUse, type EnvironmentVariables, readEnvironment } from "./environment-files";

export interface LoadedConfiguration {
  readonly configuration: Configuration;
  /** The environment files that were read, for the start-up log. */
  readonly filesRead: readonly string[];
}

/**
 * Reads the environment files of `workingDirectory` (`.env.development` only as `demo` says), then
 * validates everything. Throws `ConfigurationError`.
 */
export function loadConfiguration(
  workingDirectory: string = process.cwd(),
  processEnvironment: EnvironmentVariables = process.env,
  demo: DemoUse = "off",
): LoadedConfiguration {
  const environment = readEnvironment(workingDirectory, processEnvironment, demo);
  return {
    configuration: parseConfiguration(environment.variables, workingDirectory),
    filesRead: environment.filesRead,
  };
}
