import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchOptions } from "../bench-options";
import { childExecArguments } from "../child-process-arguments";
import type { IngestStages } from "./ingest-stages";

/** Runs the ingest stages in a child process and returns what it measured. */
export function runStagesSuite(options: BenchOptions): Promise<IngestStages[]> {
  const entry = fileURLToPath(new URL("./stages-child.ts", import.meta.url));
  const child = fork(entry, [JSON.stringify({ rounds: options.inProcessRounds, sampleMilliseconds: options.sampleMilliseconds })], {
    execArgv: childExecArguments(),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let results: IngestStages[] | undefined;
    child.on("message", (message: { type: string; results: IngestStages[] }) => {
      if (message.type === "results") results = message.results;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (results) resolve(results);
      else reject(new Error(`the ingest stages exited with code ${code} and no results`));
    });
  });
}
