import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchOptions } from "../bench-options";
import { childExecArguments } from "../child-process-arguments";
import type { DeliveryResults, DeliverySettings } from "./delivery-results";

/** Runs the delivery suite in a child process and returns what it measured. */
export function runDeliverySuite(options: BenchOptions): Promise<DeliveryResults> {
  const entry = fileURLToPath(new URL("./delivery-child.ts", import.meta.url));
  const settings: DeliverySettings = {
    events: options.backlogEvents,
    pairsPerCallback: 1_000,
    // Ten events per pair: the order per pair is at stake, and most batches still hold distinct pairs.
    pairs: Math.max(1_000, Math.floor(options.backlogEvents / 10)),
    deadlineMs: 600_000,
  };
  const child = fork(entry, [JSON.stringify(settings)], {
    // Under --profile, the whole suite (storing the backlog, the servers' own writes, the drains) is profiled.
    execArgv: childExecArguments(options.profileDirectory ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDirectory}`] : []),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let results: DeliveryResults | undefined;
    child.on("message", (message: { type: string; results: DeliveryResults }) => {
      if (message.type === "results") results = message.results;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (results) resolve(results);
      else reject(new Error(`the delivery suite exited with code ${code} and no results`));
    });
  });
}
