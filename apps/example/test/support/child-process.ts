import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterEach } from "vitest";

export const appDirectory = resolve(import.meta.dirname, "../..");

/**
 * How long the app started from its sources may take to listen (tsx compiles them first): a few
 * seconds on an idle machine, far longer on two cores that other test runs keep busy.
 */
export const appStartupTimeoutMs = 120_000;

export interface Child {
  readonly process: ChildProcess;
  /** Standard output and standard error so far, interleaved. */
  output(): string;
  /** Resolves with the exit code once the process has ended and its output is read. */
  readonly exited: Promise<number | null>;
  /** SIGKILL to the process and, for a package script, to what its shell started. */
  kill(): void;
}

function watch(child: ChildProcess, leadsAGroup = false): Child {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  // "close", not "exit": it comes once the output streams are drained too.
  const exited = new Promise<number | null>((resolveExit) => child.once("close", (code) => resolveExit(code)));
  const kill = () => {
    // A script runs under a shell: killing the shell alone would leave the app it started running.
    if (leadsAGroup && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // The whole group has ended already.
      }
      return;
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return { process: child, output: () => output, exited, kill };
}

/** The environment a user's shell would give: no test runner's NODE_ENV, plus what the test sets. */
function environmentWith(variables: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_ENV: _ignored, ...inherited } = process.env;
  const binaries = [join(appDirectory, "node_modules/.bin"), join(appDirectory, "../../node_modules/.bin")];
  return { ...inherited, PATH: [...binaries, inherited.PATH ?? ""].join(delimiter), ...variables };
}

/**
 * Runs the app from its sources, in the app's directory, as `pnpm dev` would (without the watcher),
 * with the command-line arguments given (`--demo`, as `pnpm start` and `pnpm dev` pass it).
 */
export function startAppProcess(variables: Record<string, string>, commandLineArguments: readonly string[] = []): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@friendhook/source", "src/main.ts", ...commandLineArguments], {
    cwd: appDirectory,
    env: environmentWith(variables),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return watch(child);
}

/** One of the package's scripts, as written in its package.json. */
export function packageScript(name: string): string {
  const scripts = JSON.parse(readFileSync(join(appDirectory, "package.json"), "utf8")).scripts as Record<string, string>;
  const script = scripts[name];
  if (script === undefined) throw new Error(`package.json has no "${name}" script`);
  return script;
}

/** Runs one of the package's scripts exactly as written in package.json, as pnpm does: through a shell. */
export function runPackageScript(name: string, commandLineArguments: readonly string[], variables: Record<string, string> = {}): Child {
  const script = packageScript(name);
  const quoted = commandLineArguments.map((argument) => `'${argument.replace(/'/g, `'\\''`)}'`);
  const child = spawn([script, ...quoted].join(" "), {
    cwd: appDirectory,
    env: environmentWith(variables),
    shell: true,
    // A process group of its own, so that `kill` reaches the app the shell started too.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return watch(child, true);
}

/**
 * For a test file that starts the app as a process: `track` a child to kill it after each test, and
 * `dataDirectory()` a fresh directory removed after each test.
 */
export function useAppProcesses(directoryPrefix: string): { track: (child: Child) => Child; dataDirectory: () => string } {
  const children: Child[] = [];
  const directories: string[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return {
    track(child) {
      children.push(child);
      return child;
    },
    dataDirectory() {
      const directory = mkdtempSync(join(tmpdir(), directoryPrefix));
      directories.push(directory);
      return directory;
    },
  };
}
