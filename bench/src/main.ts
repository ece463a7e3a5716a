import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBenchOptions } from "./bench-options";
import { readsSources } from "./child-process-arguments";
import { runHttpSuite } from "./http/http-suite";
import { runDeliverySuite } from "./delivery/run-delivery-suite";
import { runInProcessSuite } from "./in-process/run-in-process-suite";
import { runStagesSuite } from "./stages/run-stages-suite";
import { describeMachine } from "./report/machine";
import { type BenchReport, renderMarkdown } from "./report/markdown-report";
import { updateBenchmarksDocument } from "./report/update-benchmarks";

/**
 * `pnpm bench`: the in-process suite, then the HTTP suite, then one report on standard output and in
 * bench/results (latest.md and latest.json). Progress goes to standard error. A benchmark, not a
 * test: it never fails on speed, only when it cannot measure.
 */
const resultsDirectory = fileURLToPath(new URL("../results", import.meta.url));
const options = parseBenchOptions(process.argv.slice(2), process.env, resultsDirectory);
const startedAt = performance.now();
const elapsed = () => `${Math.round((performance.now() - startedAt) / 1000)} s`;

let inProcess: BenchReport["inProcess"];
if (options.parts.inProcess) {
  process.stderr.write(`in process: ${options.inProcessRounds} rounds of ${options.sampleMilliseconds} ms samples\n`);
  inProcess = await runInProcessSuite(options);
  process.stderr.write(`in process: done at ${elapsed()}\n`);
}

let stages: BenchReport["stages"];
if (options.parts.inProcess) {
  stages = await runStagesSuite(options);
  process.stderr.write(`ingest stages: done at ${elapsed()}\n`);
}

let http: BenchReport["http"];
if (options.parts.http) {
  process.stderr.write(`over HTTP: ${options.connections} connections, ${options.durationSeconds} s per server\n`);
  http = await runHttpSuite(options);
  process.stderr.write(`over HTTP: done at ${elapsed()}\n`);
}

let delivery: BenchReport["delivery"];
if (options.parts.delivery) {
  process.stderr.write(`delivery: a backlog of ${options.backlogEvents} events into each server\n`);
  delivery = await runDeliverySuite(options);
  process.stderr.write(`delivery: done at ${elapsed()}\n`);
}

const flags = process.argv.slice(2).join(" ");
const report: BenchReport = {
  generatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  machine: describeMachine(),
  mode: `${options.quick ? "quick" : "full"} run, packages read from their ${readsSources() ? "TypeScript sources" : "builds (dist/)"}`,
  command: `pnpm bench${flags ? ` ${flags}` : ""}`,
  inProcess,
  http,
  delivery,
  stages,
};
const markdown = renderMarkdown(report);
mkdirSync(options.resultsDirectory, { recursive: true });
writeFileSync(join(options.resultsDirectory, "latest.md"), markdown);
const { resultsDirectory: _resultsDirectory, ...settings } = options;
writeFileSync(join(options.resultsDirectory, "latest.json"), `${JSON.stringify({ ...report, settings }, null, 2)}\n`);
process.stdout.write(`${markdown}\n`);
if (options.updateBenchmarks) {
  updateBenchmarksDocument(fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url)), markdown);
  process.stderr.write("updated: BENCHMARKS.md\n");
}
process.stderr.write(`written: bench/results/latest.md, bench/results/latest.json (${elapsed()} in all)\n`);
