import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchOptions } from "../bench-options";
import { childExecArguments } from "../child-process-arguments";
import type { IngestStages } from "./ingest-stages";

/** Runs one part of the stages child (`stages-child.ts`) and returns what it sent. */
function runStagesChild<Results>(options: BenchOptions, part: "stages" | "postgres"): Promise<Results> {
  const entry = fileURLToPath(new URL("./stages-child.ts", import.meta.url));
  const settings = JSON.stringify({ rounds: options.inProcessRounds, sampleMilliseconds: options.sampleMilliseconds });
  const child = fork(entry, [settings, part], { execArgv: childExecArguments(), stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    let received = false;
    let results: Results;
    child.on("message", (message: { type: string; results: Results }) => {
      if (message.type !== "results") return;
      received = true;
      results = message.results;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (received) resolve(results);
      else reject(new Error(`the ingest stages (${part}) exited with code ${code} and no results`));
    });
  });
}

/** Runs the ingest stages in a child process, then the PostgreSQL store's appends in another. */
export async function runStagesSuite(options: BenchOptions): Promise<IngestStages[]> {
  const stages = await runStagesChild<IngestStages[]>(options, "stages");
  const postgres = await runStagesChild<Array<{ pairs: number; nanosecondsPerEvent: number }> | undefined>(options, "postgres");
  return stages.map((stage) => {
    const measured = postgres?.find((entry) => entry.pairs === stage.pairs);
    return measured ? { ...stage, storePostgres: measured.nanosecondsPerEvent } : stage;
  });
}
