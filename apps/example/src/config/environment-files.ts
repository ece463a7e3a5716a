import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "dotenv";
import { ConfigurationError } from "./configuration-error";

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

export interface Environment {
  /** The variables in force: the process environment over `.env` over `.env.development`. */
  readonly variables: EnvironmentVariables;
  /** The environment files that were found and read, most important first. */
  readonly filesRead: readonly string[];
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
 * Reads `.env` (your settings, never committed) and, outside production, `.env.development` (the
 * committed DEMO settings) from the working directory. A variable set in the real environment
 * always wins, then `.env`, then `.env.development`.
 */
export function readEnvironment(workingDirectory: string, processEnvironment: EnvironmentVariables): Environment {
  const filesRead: string[] = [];
  const local = readEnvironmentFile(join(workingDirectory, ".env"));
  if (local) filesRead.push(".env");
  const nodeEnvironment = processEnvironment.NODE_ENV ?? local?.NODE_ENV;
  const development = nodeEnvironment === "production" ? undefined : readEnvironmentFile(join(workingDirectory, ".env.development"));
  if (development) filesRead.push(".env.development");
  return { variables: { ...development, ...local, ...processEnvironment }, filesRead };
}
