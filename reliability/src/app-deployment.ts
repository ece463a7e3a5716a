import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppProcess, startAppProcess } from "./app-process";

/**
 * One installation of the example app: a data directory that outlives its processes, so that a
 * process killed with `kill -9` can be started again on the same store.
 */
export interface AppDeployment {
  readonly dataDirectory: string;
  /** Every process started so far, oldest first. */
  readonly lives: readonly AppProcess[];
  /** The process started last. */
  current(): AppProcess;
  /** Starts a new process on the same data directory; the previous one must have ended. */
  start(): Promise<AppProcess>;
  /** Stops the running process gracefully, then deletes the directories. */
  dispose(): Promise<void>;
}

export function createAppDeployment(variables: Readonly<Record<string, string>>): AppDeployment {
  const root = mkdtempSync(join(tmpdir(), "friendhook-reliability-"));
  const dataDirectory = join(root, "data");
  const lives: AppProcess[] = [];
  return {
    dataDirectory,
    lives,
    current() {
      const life = lives.at(-1);
      if (life === undefined) throw new Error("the app has not been started");
      return life;
    },
    async start() {
      const previous = lives.at(-1);
      if (previous !== undefined && !previous.hasExited()) throw new Error("the previous app process is still running");
      const life = await startAppProcess({ variables, dataDirectory, workingDirectory: root });
      lives.push(life);
      return life;
    },
    async dispose() {
      await Promise.all(lives.map((life) => life.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
