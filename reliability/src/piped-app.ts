import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { type AppProcessOptions, appCommand, defaultStartupTimeoutMs, listeningUrlIn } from "./app-process";
import { sendRaw } from "./http-client";
import { sleep } from "./wait-for";

/** The process that reads the app's standard output: `cat` by default, passing on what it reads. */
export interface OutputReader {
  readonly pid: number;
  /** What the reader has passed on so far: the app's standard output, as far as it was read. */
  output(): string;
  /** SIGSTOP: the reader stops reading, the pipe fills up. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL: the pipe loses its reader; resolves once the reader has exited. */
  kill(): Promise<void>;
}

/** One life of the app, its standard output a pipe to another process, as in `node main.js | cat`. */
export interface PipedAppProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT`, read from the start-up line, as the reader passed it on. */
  readonly url: string;
  readonly reader: OutputReader;
  /** Everything the app wrote to standard error (a pipe to the test, read all along). */
  errorOutput(): string;
  /** Resolves with the exit code (or the signal's name) once the app has ended. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /**
   * SIGTERM, then waits up to `waitMs` for the exit: the exit code (undefined when the app was
   * still running) and how long after the signal it came.
   */
  terminate(waitMs: number): Promise<{ readonly exit: number | string | undefined; readonly stopMs: number }>;
}

/** Every process group started here and not yet known to have ended, with its end. */
const running = new Map<number, Promise<void>>();

function track(child: ChildProcess): Promise<number | string> {
  const pid = child.pid;
  if (pid === undefined) throw new Error("a process of the piped app has no pid");
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  running.set(
    pid,
    exited.then(() => undefined),
  );
  void exited.then(() => running.delete(pid));
  return exited;
}

/**
 * SIGKILL to every process group started by `startAppBehindReader` (each process leads its own),
 * stopped ones included; resolves once they have ended. For `afterEach`, so that a failed test
 * leaves nothing running.
 */
export async function killPipedAppProcesses(): Promise<void> {
  const ends = [...running.entries()];
  for (const [processGroup] of ends) {
    try {
      process.kill(-processGroup, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await Promise.race([Promise.all(ends.map(([, end]) => end)), sleep(10_000)]);
}

export interface PipedAppOptions extends AppProcessOptions {
  /**
   * The reader's command line; `["cat"]` by default. Another reader (`["head", "-c", "1"]`) may
   * not pass the start-up line on: give `port` then.
   */
  readonly reader?: readonly [string, ...string[]];
  /** A free port to listen on; the app is then ready once `/healthz` answers there. */
  readonly port?: number;
}

/** A port nothing listens on now (the app is given it at once; another process taking it first is unlikely). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthy(url: string): Promise<boolean> {
  const outcome = await sendRaw(url, { method: "GET", path: "/healthz" }, { timeoutMs: 2000 });
  return outcome.kind === "answered" && outcome.status === 200;
}

/**
 * Starts the example app (as `startAppProcess` does: production mode, 127.0.0.1, port 0) with its
 * standard output a FIFO read by `cat`: a real pipe of the operating system, blocking as a shell
 * pipeline gives it, whose reader can stop reading or go away. Standard error stays a separate
 * pipe to the test, so that what the app says there can be read whatever happens to the reader.
 */
export async function startAppBehindReader(options: PipedAppOptions): Promise<PipedAppProcess> {
  const fifoDirectory = mkdtempSync(join(tmpdir(), "friendhook-pipe-"));
  const fifo = join(fifoDirectory, "stdout");
  execFileSync("mkfifo", [fifo]);
  // The read end is opened without waiting for a writer, then the write end cannot block; the
  // test closes both once the two processes hold theirs, so that the reader is the pipe's only one.
  const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeEnd = openSync(fifo, constants.O_WRONLY);
  let readerProcess: ChildProcess;
  let appProcess: ChildProcess;
  try {
    // Node hands a child its standard streams in blocking mode, as a shell would.
    const [readerCommand, ...readerArguments] = options.reader ?? ["cat"];
    readerProcess = spawn(readerCommand, readerArguments, { stdio: [readEnd, "pipe", "ignore"], detached: true });
    const { command, args, cwd, env } = appCommand(
      options.port === undefined ? options : { ...options, variables: { ...options.variables, PORT: String(options.port) } },
    );
    appProcess = spawn(command, args, { cwd, env, stdio: ["ignore", writeEnd, "pipe"], detached: true });
  } finally {
    closeSync(readEnd);
    closeSync(writeEnd);
    rmSync(fifoDirectory, { recursive: true, force: true });
  }
  const readerExited = track(readerProcess);
  const exited = track(appProcess);
  let exitedWith: number | string | undefined;
  void exited.then((code) => (exitedWith = code));

  let readerOutput = "";
  let errorOutput = "";
  readerProcess.stdout?.setEncoding("utf8");
  readerProcess.stdout?.on("data", (chunk: string) => (readerOutput += chunk));
  appProcess.stderr?.setEncoding("utf8");
  appProcess.stderr?.on("data", (chunk: string) => (errorOutput += chunk));

  const startupTimeoutMs = options.startupTimeoutMs ?? defaultStartupTimeoutMs;
  const deadline = Date.now() + startupTimeoutMs;
  const givenUrl = options.port === undefined ? undefined : `http://127.0.0.1:${options.port}`;
  let url: string | undefined;
  while (url === undefined) {
    if (givenUrl === undefined) url = readerOutput.split("\n").map(listeningUrlIn).find((found) => found !== undefined);
    else if (await healthy(givenUrl)) url = givenUrl;
    if (url !== undefined) break;
    if (exitedWith !== undefined) throw new Error(`the app exited (${exitedWith}) before it listened; its output:\n${readerOutput}${errorOutput}`);
    if (Date.now() > deadline) throw new Error(`the app did not start within ${startupTimeoutMs} ms; its output:\n${readerOutput}${errorOutput}`);
    await sleep(50);
  }

  const readerPid = readerProcess.pid as number;
  const reader: OutputReader = {
    pid: readerPid,
    output: () => readerOutput,
    pause: () => readerProcess.kill("SIGSTOP"),
    resume: () => readerProcess.kill("SIGCONT"),
    async kill() {
      readerProcess.kill("SIGKILL");
      await readerExited;
    },
  };
  return {
    pid: appProcess.pid as number,
    url,
    reader,
    errorOutput: () => errorOutput,
    exited,
    hasExited: () => exitedWith !== undefined,
    async terminate(waitMs) {
      const signalledAt = Date.now();
      appProcess.kill("SIGTERM");
      const exit = await Promise.race([exited, sleep(waitMs).then(() => undefined)]);
      return { exit, stopMs: Date.now() - signalledAt };
    },
  };
}
