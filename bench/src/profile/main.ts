import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childExecArguments } from "../child-process-arguments";
import { requestIdMarker, runAutocannon } from "../http/autocannon-load";
import { interleavedTargets } from "../http/http-targets";
import { LoadSample } from "../http/load-sample";
import { startServerChild } from "../http/server-child";
import { signedTencentPath, tencentFriendAddBody } from "../payloads/tencent-payloads";
import { prepareNormalizationCases } from "../in-process/normalization-suite";
import { type HotFunction, hottestBySelfTime, hottestOwnCode, readProfile } from "./summarize-profile";

/**
 * `pnpm bench:profile`: profiles each adapter case under `node --cpu-prof` and prints where the time
 * goes. `pnpm bench:profile --servers` does the same for each HTTP server under load.
 * `pnpm bench:profile PATH…` prints the same for profiles made elsewhere (files, or directories
 * searched through), such as those of `pnpm bench --profile DIRECTORY`.
 */
const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;

function printSummary(title: string, functions: readonly HotFunction[]): void {
  process.stdout.write(`\n## ${title}\n\nself time:\n`);
  for (const hot of hottestBySelfTime(functions, 18)) process.stdout.write(`  ${percent(hot.selfShare)}  ${hot.frame}\n`);
  process.stdout.write("\ntotal time, friendhook code:\n");
  for (const hot of hottestOwnCode(functions, 18)) process.stdout.write(`  ${percent(hot.totalShare)}  ${hot.frame}\n`);
}

/** The profiles under each path (a file, or a directory searched through), main threads only. */
function profilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(path, name));
}

/**
 * Each HTTP server under the single-pair load alone, profiled from start to stop: what one callback
 * costs in each, without the 1,000-pair phase or other servers' turns mixed in.
 */
async function profileServers(directory: string, seconds: number): Promise<void> {
  rmSync(directory, { recursive: true, force: true });
  for (const target of interleavedTargets) {
    const started = await startServerChild({
      entry: target.entry,
      ...(target.arguments && { arguments: target.arguments }),
      profileDirectory: directory,
    });
    if ("unavailable" in started) continue;
    const body = tencentFriendAddBody(1, requestIdMarker);
    await runAutocannon({ port: started.port, path: signedTencentPath(), body, connections: 50, seconds }, new LoadSample());
    await started.stop();
  }
  // Each server's directory also holds its module loader thread's profile: the largest is the main thread's.
  for (const serverDirectory of readdirSync(directory)) {
    const [mainThread] = profilesUnder(join(directory, serverDirectory)).sort((left, right) => statSync(right).size - statSync(left).size);
    if (mainThread) printSummary(serverDirectory, readProfile(mainThread));
  }
}

const paths = process.argv.slice(2);
if (paths[0] === "--servers") {
  await profileServers(fileURLToPath(new URL("../../results/profiles/servers", import.meta.url)), Number(process.env.BENCH_PROFILE_SECONDS ?? "8"));
} else if (paths.length > 0) {
  for (const file of paths.flatMap(profilesUnder)) {
    const functions = readProfile(file);
    // The module loader's worker thread writes a profile of its own; only the main thread's shows our code.
    if (hottestOwnCode(functions, 1).length > 0) printSummary(file, functions);
  }
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
