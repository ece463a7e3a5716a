import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchOptions } from "../bench-options";
import { childExecArguments } from "../child-process-arguments";
import type { NormalizationResult } from "./normalization-suite";

/** Runs the normalization suite in a child process and returns what it measured. */
export function runInProcessSuite(options: BenchOptions): Promise<NormalizationResult[]> {
  const entry = fileURLToPath(new URL("./in-process-child.ts", import.meta.url));
  const child = fork(entry, [JSON.stringify({ rounds: options.inProcessRounds, sampleMilliseconds: options.sampleMilliseconds })], {
    execArgv: childExecArguments(),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let results: NormalizationResult[] | undefined;
    child.on("message", (message: { type: string; results: NormalizationResult[] }) => {
      if (message.type === "results") results = message.results;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (results) resolve(results);
      else reject(new Error(`the in-process suite exited with code ${code} and no results`));
    });
  });
}
