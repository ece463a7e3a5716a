import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childExecArguments } from "../child-process-arguments";
import { prepareNormalizationCases } from "../in-process/normalization-suite";
import { type HotFunction, hottestBySelfTime, hottestOwnCode, readProfile } from "./summarize-profile";

/**
 * `pnpm bench:profile`: profiles each adapter case under `node --cpu-prof` and prints where the time
 * goes. `pnpm bench:profile FILE.cpuprofile…` prints the same for profiles made elsewhere, such as
 * the server children of `pnpm bench --profile DIRECTORY`.
 */
const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;

function printSummary(title: string, functions: readonly HotFunction[]): void {
  process.stdout.write(`\n## ${title}\n\nself time:\n`);
  for (const hot of hottestBySelfTime(functions, 18)) process.stdout.write(`  ${percent(hot.selfShare)}  ${hot.frame}\n`);
  process.stdout.write("\ntotal time, friendhook code:\n");
  for (const hot of hottestOwnCode(functions, 18)) process.stdout.write(`  ${percent(hot.totalShare)}  ${hot.frame}\n`);
}

const files = process.argv.slice(2);
if (files.length > 0) {
  for (const file of files) printSummary(file, readProfile(file));
} else {
  const directory = fileURLToPath(new URL("../../results/profiles/adapters", import.meta.url));
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const script = fileURLToPath(new URL("./profile-adapters.ts", import.meta.url));
  const seconds = process.env.BENCH_PROFILE_SECONDS ?? "4";
  prepareNormalizationCases().forEach((prepared, index) => {
    const caseDirectory = join(directory, String(index));
    const run = spawnSync(
      process.execPath,
      [...childExecArguments(["--cpu-prof", `--cpu-prof-dir=${caseDirectory}`]), script, String(index), seconds],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (run.status !== 0) throw new Error(`profiling case ${index} failed`);
    // The module loader's worker thread writes a profile of its own; only the main thread's shows our code.
    for (const file of readdirSync(caseDirectory).filter((name) => name.endsWith(".cpuprofile"))) {
      const functions = readProfile(join(caseDirectory, file));
      if (hottestOwnCode(functions, 1).length > 0) printSummary(`${prepared.provider} ${prepared.label}`, functions);
    }
  });
  process.stdout.write(`\nProfiles: ${directory} (open in Chrome DevTools or speedscope)\n`);
}
