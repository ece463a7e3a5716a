import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childExecArguments } from "../child-process-arguments";
import type { ChildMessage, ParentMessage } from "./server-child-protocol";

export interface ServerChild {
  readonly pid: number;
  readonly port: number;
  memory(): Promise<{ residentBytes: number; heapUsedBytes: number }>;
  /** Deliveries the server has yet to make to its sinks. */
  backlog(): Promise<number>;
  stop(): Promise<void>;
}

export interface ServerChildOptions {
  /** A file of ./servers, without its extension. */
  readonly entry: string;
  readonly arguments?: readonly string[];
  /** Write a CPU profile of the child into this directory when it stops. */
  readonly profileDirectory?: string;
  readonly startTimeoutMs?: number;
}

/** The last lines a child wrote, to explain why it did not start. */
function keepTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail.trim();
}

function waitForMessage<Type extends ChildMessage["type"]>(
  child: ChildProcess,
  types: readonly Type[],
  timeoutMs: number,
  describeFailure: () => string,
): Promise<Extract<ChildMessage, { type: Type }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms\n${describeFailure()}`)), timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if ((types as readonly string[]).includes(message.type)) finish(undefined, message as Extract<ChildMessage, { type: Type }>);
    };
    const onExit = (code: number | null) => finish(new Error(`exited with code ${code}\n${describeFailure()}`));
    function finish(error: Error | undefined, message?: Extract<ChildMessage, { type: Type }>) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(message as Extract<ChildMessage, { type: Type }>);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/**
 * Starts one benchmark server in a child process of its own, so that it never shares an event loop
 * with the load generator, and resolves once it listens.
 */
export async function startServerChild(options: ServerChildOptions): Promise<ServerChild | { readonly unavailable: string }> {
  const entry = fileURLToPath(new URL(`./servers/${options.entry}.ts`, import.meta.url));
  // A directory per server: the module loader's thread writes a profile of its own beside the main one.
  const profiling = options.profileDirectory
    ? ["--cpu-prof", `--cpu-prof-dir=${join(options.profileDirectory, [options.entry, ...(options.arguments ?? [])].join(" ").replace(/[^\w.-]+/g, "-"))}`]
    : [];
  const child = fork(entry, [...(options.arguments ?? [])], {
    execArgv: childExecArguments(profiling),
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const tail = keepTail(child);
  let started: Extract<ChildMessage, { type: "ready" | "unavailable" }>;
  try {
    started = await waitForMessage(child, ["ready", "unavailable"], options.startTimeoutMs ?? 60_000, tail);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  if (started.type === "unavailable") return { unavailable: started.reason };
  const ready = started;
  const request = (message: ParentMessage) => child.send(message);
  return {
    pid: child.pid ?? 0,
    port: ready.port,
    async memory() {
      const answer = waitForMessage(child, ["memory"], 10_000, tail);
      request({ type: "memory" });
      const { residentBytes, heapUsedBytes } = await answer;
      return { residentBytes, heapUsedBytes };
    },
    async backlog() {
      const answer = waitForMessage(child, ["backlog"], 10_000, tail);
      request({ type: "backlog" });
      return (await answer).pending;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      request({ type: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
