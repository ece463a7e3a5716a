import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "dotenv";
import { ConfigurationError } from "./configuration-error";

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * Whether the committed DEMO settings of `.env.development` are read: `off` (never), `requested`
 * (the app started with `--demo`: read, and refused in production), or `outside-production` (read
 * unless NODE_ENV is `production`: what `simulate` uses to sign as a `--demo` app would check).
 */
export type DemoUse = "off" | "requested" | "outside-production";

export interface Environment {
  /** The variables in force: the process environment over `.env` over `.env.development`. */
  readonly variables: EnvironmentVariables;
  /** The environment files that were found and read, most important first. */
  readonly filesRead: readonly string[];
}

/** The variables that configure a provider: the DEMO file's are all left out once the operator sets one. */
const providerVariablePrefixes = ["EASEMOB_", "TENCENT_", "OPENIM_"] as const;

function isProviderVariable(name: string): boolean {
  return providerVariablePrefixes.some((prefix) => name.startsWith(prefix));
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
 * The DEMO settings that may apply. Its credentials never fill in beside the operator's: once the
 * operator configures any provider, every provider setting of the file is left out, so that a real
 * Easemob secret does not come with the public Tencent and OpenIM tokens (nor a DEMO app key).
 */
function applicableDemoSettings(demo: Record<string, string>, operator: Record<string, string>): Record<string, string> {
  const operatorConfiguresAProvider = Object.keys(operator).some(isProviderVariable);
  if (!operatorConfiguresAProvider) return demo;
  return Object.fromEntries(Object.entries(demo).filter(([name]) => !isProviderVariable(name)));
}

/**
 * Reads `.env` (your settings, never committed) from the working directory and, for a DEMO start
 * only, the committed `.env.development`. A variable set in the real environment always wins, then
 * `.env`, then `.env.development`.
 */
export function readEnvironment(workingDirectory: string, processEnvironment: EnvironmentVariables, demo: DemoUse = "off"): Environment {
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
  return { variables: { ...applicableDemoSettings(setVariablesOf(development), operator), ...operator }, filesRead };
}
