import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderDescriptor } from "@friendhook/core";
import { parse } from "dotenv";
import { providers as appProviders } from "../providers";
import { ConfigurationError } from "./configuration-error";
import { demoProviderVariables, isProviderVariable } from "./provider-settings";

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * Whether the DEMO settings (the committed `.env.development` and the providers' public DEMO
 * credentials) are read: `off` (never), `requested` (the app started with `--demo`: read, and
 * refused in production), or `outside-production` (read unless NODE_ENV is `production`: what
 * `simulate` uses to sign as a `--demo` app would check).
 */
export type DemoUse = "off" | "requested" | "outside-production";

export interface Environment {
  /** The variables in force: the process environment over `.env` over `.env.development`. */
  readonly variables: EnvironmentVariables;
  /** The environment files that were found and read, most important first. */
  readonly filesRead: readonly string[];
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/** Blank values count as unset, as in `PORT=` in a compose file: the next source then decides. */
function setVariablesOf(variables: EnvironmentVariables | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(variables ?? {}).filter((entry): entry is [string, string] => isSet(entry[1])));
}

function readEnvironmentFile(path: string): Record<string, string> | undefined {
  try {
    return parse(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigurationError([`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`]);
  }
}

/**
 * The DEMO settings that may apply: the providers' DEMO credentials under the file's settings. They
 * never fill in beside the operator's: once the operator configures any provider, every provider
 * setting of the DEMO is left out, so that a real Easemob secret does not come with the public
 * Tencent and OpenIM tokens (nor a DEMO app key).
 */
function applicableDemoSettings(
  providers: readonly ProviderDescriptor[],
  file: Record<string, string>,
  operator: Record<string, string>,
): Record<string, string> {
  const demo = { ...demoProviderVariables(providers), ...file };
  const isProvider = (name: string) => isProviderVariable(providers, name);
  if (!Object.keys(operator).some(isProvider)) return demo;
  return Object.fromEntries(Object.entries(demo).filter(([name]) => !isProvider(name)));
}

/**
 * Reads `.env` (your settings, never committed) from the working directory and, for a DEMO start
 * only, the committed `.env.development` and the DEMO credentials of `providers`. A variable set in
 * the real environment always wins, then `.env`, then `.env.development`, then the DEMO credentials.
 */
export function readEnvironment(
  workingDirectory: string,
  processEnvironment: EnvironmentVariables,
  demo: DemoUse = "off",
  providers: readonly ProviderDescriptor[] = appProviders,
): Environment {
  const filesRead: string[] = [];
  const local = readEnvironmentFile(join(workingDirectory, ".env"));
  if (local) filesRead.push(".env");
  const operator = { ...setVariablesOf(local), ...setVariablesOf(processEnvironment) };
  const production = operator.NODE_ENV?.trim() === "production";
  if (demo === "off" || (demo === "outside-production" && production)) return { variables: operator, filesRead };
  if (production) {
    throw new ConfigurationError([
      "--demo: starts with the public DEMO credentials of .env.development, which production (NODE_ENV=production) refuses; start without --demo (node dist/main.js)",
    ]);
  }
  const development = readEnvironmentFile(join(workingDirectory, ".env.development"));
  if (!development) {
    if (demo === "outside-production") return { variables: operator, filesRead };
    throw new ConfigurationError([`--demo: needs the committed .env.development, which is not in ${workingDirectory}; start the app from apps/example`]);
  }
  filesRead.push(".env.development");
  return { variables: { ...applicableDemoSettings(providers, setVariablesOf(development), operator), ...operator }, filesRead };
}
