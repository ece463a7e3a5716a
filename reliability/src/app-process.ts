import { type ChildProcess, type ChildProcessByStdio, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { reliabilityCredentials } from "./credentials";

const require = createRequire(import.meta.url);

/**
 * The example app's directory, where its committed `.env.development` lives: this repository's, or
 * `FRIENDHOOK_EXAMPLE_APP_DIRECTORY`'s (the `apps/example` of another checkout, installed, to see
 * which tests fail against an earlier version of the app).
 */
export const exampleAppDirectory = process.env.FRIENDHOOK_EXAMPLE_APP_DIRECTORY || dirname(require.resolve("@friendhook/example/package.json"));
/** The example app's entry point, run from its TypeScript sources as `pnpm dev` does. */
const appMainPath = join(exampleAppDirectory, "src/main.ts");
const typeScriptLoader = pathToFileURL(require.resolve("tsx")).href;

const listeningMessage = "friendhook is listening";

/**
 * How long the app may take to start (tsx compiles its sources first): a few seconds on an idle
 * machine, far longer on two cores that other test runs keep busy.
 */
export const defaultStartupTimeoutMs = 120_000;

export interface AppProcessOptions {
  /** The app's environment variables (secrets, sinks, limits); the data directory is given apart. */
  readonly variables: Readonly<Record<string, string>>;
  /** Where the app keeps its store; the same directory across restarts keeps the same data. */
  readonly dataDirectory: string;
  /** The process's working directory: empty, so that no `.env` file of the repository is read. */
  readonly workingDirectory: string;
  /** How long start-up may take before it counts as failed. */
  readonly startupTimeoutMs?: number;
  /** The app's command-line arguments (`--demo`); none by default. */
  readonly commandLineArguments?: readonly string[];
}

/** One life of the app process, from spawn to exit. */
export interface AppProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT`, read from the start-up log line. */
  readonly url: string;
  /** Complete standard output lines so far. */
  readonly stdoutLines: readonly string[];
  /** Everything written to standard output and standard error so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Whether the process has ended. */
  hasExited(): boolean;
  /** `kill -9`: no shutdown, no flush, whatever was in flight is cut. */
  killHard(): Promise<number | string>;
  /** SIGTERM, the graceful shutdown; SIGKILL after `graceMs` if it has not ended by then. */
  stop(graceMs?: number): Promise<number | string>;
  /** The resident set size of the process, from /proc (Linux). */
  residentSetBytes(): number;
}

const running = new Set<ChildProcess>();

/** Kills every app process still running (for `afterAll`, so that a failed test leaves none behind). */
export function killRunningAppProcesses(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/**
 * A minimal environment: no variable of the test runner (NODE_ENV, FRIENDHOOK_*) reaches the app
 * unasked. Production needs a token for the read API: `reliabilityCredentials.apiToken`, unless the
 * test's variables say otherwise (a blank value counts as unset).
 */
function environmentFor(options: AppProcessOptions): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return {
    ...(PATH === undefined ? {} : { PATH }),
    ...(HOME === undefined ? {} : { HOME }),
    ...(TMPDIR === undefined ? {} : { TMPDIR }),
    ...(LANG === undefined ? {} : { LANG }),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    FRIENDHOOK_API_TOKEN: reliabilityCredentials.apiToken,
    ...options.variables,
    FRIENDHOOK_DATA_DIR: options.dataDirectory,
  };
}

/** The start-up line, as pino writes it (JSON) in production or pino-pretty writes it in development. */
export function listeningUrlIn(line: string): string | undefined {
  if (!line.includes(listeningMessage)) return undefined;
  return /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1];
}

/** `node --import tsx src/main.ts`: the app from its TypeScript sources, as `pnpm dev` runs it. */
export function appCommand(options: AppProcessOptions): { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv } {
  return {
    command: process.execPath,
    args: ["--conditions=@friendhook/source", "--import", typeScriptLoader, appMainPath, ...(options.commandLineArguments ?? [])],
    cwd: options.workingDirectory,
    env: environmentFor(options),
  };
}

function spawnApp(options: AppProcessOptions): ChildProcessByStdio<null, Readable, Readable> {
  const { command, args, cwd, env } = appCommand(options);
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  return child;
}

/**
 * Runs the app until it exits by itself (a start-up that must fail, say) and returns its exit code
 * and everything it wrote. Killed after `startupTimeoutMs` if it does not exit.
 */
export function runAppUntilExit(options: AppProcessOptions): Promise<{ code: number | string; output: string }> {
  const child = spawnApp(options);
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (output += chunk));
  child.stderr.on("data", (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.startupTimeoutMs ?? defaultStartupTimeoutMs);
  return new Promise((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? signal ?? "unknown", output });
    });
  });
}

/**
 * Starts the example app as its own process (in production mode, on an ephemeral port of
 * 127.0.0.1) and resolves once it listens. Rejects with the process's output when it exits or stays
 * silent instead.
 */
export function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const child = spawnApp(options);
  const stdoutLines: string[] = [];
  let output = "";
  let partialLine = "";
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      exitedWith = code ?? signal ?? "unknown";
      resolve(exitedWith);
    });
  });

  return new Promise<AppProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the app did not start within ${options.startupTimeoutMs ?? defaultStartupTimeoutMs} ms; its output:\n${output}`));
    }, options.startupTimeoutMs ?? defaultStartupTimeoutMs);

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      output += chunk;
    });
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      const lines = (partialLine + chunk).split("\n");
      partialLine = lines.pop() ?? "";
      for (const line of lines) {
        stdoutLines.push(line);
        const url = listeningUrlIn(line);
        if (url !== undefined) {
          clearTimeout(timer);
          resolve(appProcess(url));
        }
      }
    });
    // What was written before the end without a line break is still output (a line cut by kill -9).
    child.stdout.once("end", () => {
      if (partialLine !== "") stdoutLines.push(partialLine);
      partialLine = "";
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code}) before it listened; its output:\n${output}`));
    });
  });

  function appProcess(url: string): AppProcess {
    const pid = child.pid;
    if (pid === undefined) throw new Error("the app process has no pid");
    const streamsClosed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    // The exit code, once the pipes are drained too: every line the process wrote is then read.
    const ended = exited.then(async (code) => {
      await streamsClosed;
      return code;
    });
    return {
      pid,
      url,
      stdoutLines,
      output: () => output,
      exited: ended,
      hasExited: () => exitedWith !== undefined,
      killHard() {
        child.kill("SIGKILL");
        return ended;
      },
      async stop(graceMs = 15_000) {
        if (exitedWith !== undefined) return ended;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        try {
          return await ended;
        } finally {
          clearTimeout(timer);
        }
      },
      residentSetBytes: () => residentSetBytesOf(pid),
    };
  }
}

/** `VmRSS` of /proc/PID/status, in bytes. */
export function residentSetBytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kilobytes) * 1024;
}
