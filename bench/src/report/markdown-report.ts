import type { HttpResults, TargetResult } from "../http/http-suite";
import type { LoadSummary } from "../http/load-sample";
import type { NormalizationResult } from "../in-process/normalization-suite";
import type { Machine } from "./machine";
import { deliverySection, drainOverServerTarget, drainRatios } from "../delivery/delivery-report";
import type { DeliveryResults } from "../delivery/delivery-results";
import type { IngestStages } from "../stages/ingest-stages";
import { stagesSection } from "../stages/stages-report";

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: Machine;
  /** `full` or `quick`, and whether the packages were read from their builds or their sources. */
  readonly mode: string;
  readonly command: string;
  readonly inProcess: readonly NormalizationResult[] | undefined;
  readonly http: HttpResults | undefined;
  readonly delivery?: DeliveryResults | undefined;
  readonly stages?: readonly IngestStages[] | undefined;
}

/** The targets of the issue, as numbers the report checks. */
export const targets = {
  receiverOverExpress: 1.0,
  durableOverExpress: 0.9,
  normalizationOverFloor: 0.5,
  halfLoadP99Ms: 10,
  /** Batches of pairs: D's pairs/s over B's, E's over B's, for 100- and 1,000-pair callbacks. */
  durableBatchOverBare: 0.1,
  postgresBatchOverBare: 0.05,
  /** C's resident memory after the 1,000-pair run over A's. */
  receiverMemoryOverExpress: 1.5,
} as const;

const microseconds = (nanoseconds: number) => (nanoseconds / 1000).toFixed(nanoseconds < 10_000 ? 2 : 1);
const perSecond = (nanoseconds: number) => Math.round(1e9 / nanoseconds).toLocaleString("en-US");
const whole = (value: number) => Math.round(value).toLocaleString("en-US");
const milliseconds = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(value < 10 ? 2 : 1));
const mebibytes = (bytes: number | undefined) => (bytes === undefined ? "–" : `${Math.round(bytes / 2 ** 20)} MiB`);
const ratio = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(2));
const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "**met**" : "**not met**");
const spreadNote = (spread: number) => (spread > 0.1 ? ` ±${Math.round(spread * 100)}%` : "");

function inProcessSection(results: readonly NormalizationResult[]): string[] {
  const lines = [
    "## In process: `adapter.receive` against `JSON.parse` of the same bytes",
    "",
    "`adapter.receive` authenticates (signature, app), parses and validates the body, and builds the",
    "events with their ids. The floor is UTF-8 decoding and `JSON.parse` of the same bytes, nothing else.",
    "Medians over interleaved rounds; ± is half the interquartile range where it exceeds 10 %.",
    "",
    "| callback | body | events | receive µs | callbacks/s | floor µs | floor/s | rate ÷ floor rate | receive µs per pair | floor µs per pair |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const result of results) {
    lines.push(
      `| ${result.provider} ${result.label} | ${whole(result.bodyBytes)} B | ${result.events} | ` +
        `${microseconds(result.receiveNanoseconds)}${spreadNote(result.receiveSpread)} | ${perSecond(result.receiveNanoseconds)} | ` +
        `${microseconds(result.floorNanoseconds)}${spreadNote(result.floorSpread)} | ${perSecond(result.floorNanoseconds)} | ` +
        `${ratio(result.floorNanoseconds / result.receiveNanoseconds)} | ` +
        `${microseconds(result.receiveNanoseconds / result.pairs)} | ${microseconds(result.floorNanoseconds / result.pairs)} |`,
    );
  }
  return lines;
}

function latencyRow(label: string, summary: LoadSummary | undefined): string {
  if (!summary) return `| ${label} | – | – | – | – | – |`;
  return `| ${label} | ${whole(summary.requestsPerSecond)} | ${milliseconds(summary.p50Ms)} | ${milliseconds(summary.p99Ms)} | ${milliseconds(summary.maxMs)} | ${summary.failedResponses + summary.errors} |`;
}

function rateOf(http: HttpResults, key: string): number | undefined {
  return http.targets.find((target) => target.key === key)?.sustained?.requestsPerSecond;
}

function ratioOf(http: HttpResults, numerator: string, denominator: string): number | undefined {
  const top = rateOf(http, numerator);
  const bottom = rateOf(http, denominator);
  return top === undefined || bottom === undefined || bottom === 0 ? undefined : top / bottom;
}

function targetLabel(target: TargetResult): string {
  return target.unavailable === undefined ? target.title : `${target.title}: not available (${target.unavailable})`;
}

function httpSection(http: HttpResults): string[] {
  const lines = [
    "## Over HTTP on 127.0.0.1",
    "",
    `Tencent \`Sns.CallbackFriendAdd\`, one pair, ${http.smallBodyBytes} bytes, signed URL, a fresh RequestId in every request. ` +
      `autocannon with ${http.connections} connections; each server in a child process of its own; ` +
      `${http.warmupSeconds} s of warm-up, then ${http.secondsPerTarget} s per server in ${http.rounds} interleaved rounds. ` +
      "Latency runs from writing the request to reading the whole answer.",
    "",
    "| | server | requests/s | p50 ms | p99 ms | max ms | not 200 |",
    "|---|---|--:|--:|--:|--:|--:|",
  ];
  for (const target of http.targets) {
    const row = latencyRow(targetLabel(target), target.sustained);
    lines.push(`| ${target.key} ${row}`);
  }
  const ratios: Array<[string, number | undefined]> = [
    ["C/A", ratioOf(http, "C", "A")],
    ["D/A", ratioOf(http, "D", "A")],
    ["E/A", ratioOf(http, "E", "A")],
    ["C/B", ratioOf(http, "C", "B")],
    ["D/B", ratioOf(http, "D", "B")],
    ["A/B", ratioOf(http, "A", "B")],
    ["D+sink/A", ratioOf(http, "D+sink", "A")],
  ];
  lines.push("", "Ratios of requests/s:", "", `| ${ratios.map(([name]) => name).join(" | ")} |`);
  lines.push(`|${ratios.map(() => "--:").join("|")}|`, `| ${ratios.map(([, value]) => ratio(value)).join(" | ")} |`);
  if (http.halfLoad) {
    const half = http.halfLoad;
    lines.push(
      "",
      `### ${half.key} at 50 % of its maximum: ${whole(half.requestsPerSecond)} requests/s`,
      "",
      "| load generator | requests/s | p50 ms | p99 ms | max ms | not 200 |",
      "|---|--:|--:|--:|--:|--:|",
      latencyRow("paced, open loop (requests spread evenly over each second)", half.paced),
      latencyRow("autocannon `overallRate` (each connection's quota sent at the top of each second)", half.autocannonOverallRate),
      ...half.baselines.map((baseline) => latencyRow(`${baseline.key} at the same rate, paced (stores nothing)`, baseline.paced)),
    );
  }
  lines.push(
    "",
    "### Memory, and batches of 100 and 1,000 pairs per callback",
    "",
    `Resident memory (RSS) of the server process: idle after start, after the sustained run, and after ${http.largePayloadSeconds} s ` +
      `of callbacks with a 1,000-pair PairList (${whole(http.largeBodyBytes)} bytes each, ${http.connections} connections). ` +
      `Then ${http.largePayloadSeconds} s with a 100-pair one (${whole(http.mediumBodyBytes)} bytes each), into what the server holds by then.`,
    "",
    "| | RSS idle | RSS after sustained run | heap used then | 1,000-pair callbacks/s | pairs/s | p99 ms | RSS after 1,000-pair run | 100-pair callbacks/s | pairs/s | p99 ms |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  );
  const batchCells = (payload: LoadSummary | undefined, pairs: number) =>
    payload ? `${whole(payload.requestsPerSecond)} | ${whole(payload.requestsPerSecond * pairs)} | ${milliseconds(payload.p99Ms)}` : "– | – | –";
  for (const target of http.targets.filter((each) => each.unavailable === undefined)) {
    lines.push(
      `| ${target.key} | ${mebibytes(target.residentBytesIdle)} | ${mebibytes(target.residentBytesAfterSustained)} | ${mebibytes(target.heapUsedBytesAfterSustained)} | ` +
        `${batchCells(target.largePayload, 1000)} | ${mebibytes(target.residentBytesAfterLargePayload)} | ${batchCells(target.mediumPayload, 100)} |`,
    );
  }
  return lines;
}

/** Batch ingest: D's and E's pairs/s over B's for each batch size, and C's memory after them over A's. */
function batchTargetRows(http: HttpResults): string[] {
  const lines: string[] = [];
  const target = (key: string) => http.targets.find((each) => each.key === key);
  for (const [pairs, payloadOf] of [
    [1000, (result: TargetResult | undefined) => result?.largePayload],
    [100, (result: TargetResult | undefined) => result?.mediumPayload],
  ] as const) {
    const bare = payloadOf(target("B"))?.requestsPerSecond;
    for (const [key, minimum] of [
      ["D", targets.durableBatchOverBare],
      ["E", targets.postgresBatchOverBare],
    ] as const) {
      const rate = payloadOf(target(key))?.requestsPerSecond;
      const title = `${pairs.toLocaleString("en-US")}-pair callbacks: ${key}'s pairs/s ≥ ${minimum} × B's`;
      if (rate === undefined || bare === undefined || bare === 0) {
        lines.push(`| ${title} | – | not measured |`);
        continue;
      }
      const share = rate / bare;
      lines.push(`| ${title} | ${share.toFixed(4)} (${whole(rate * pairs)} of ${whole(bare * pairs)}) | ${verdict(share >= minimum)} |`);
    }
  }
  const receiverMemory = target("C")?.residentBytesAfterLargePayload;
  const expressMemory = target("A")?.residentBytesAfterLargePayload;
  const memoryShare = receiverMemory === undefined || !expressMemory ? undefined : receiverMemory / expressMemory;
  lines.push(
    `| C's RSS after the 1,000-pair run ≤ ${targets.receiverMemoryOverExpress} × A's | ${memoryShare === undefined ? "–" : `${memoryShare.toFixed(2)} (${mebibytes(receiverMemory)} of ${mebibytes(expressMemory)})`} | ${verdict(memoryShare === undefined ? undefined : memoryShare <= targets.receiverMemoryOverExpress)} |`,
  );
  return lines;
}

function targetsSection(report: BenchReport): string[] {
  const lines = ["## Targets", "", "| target | measured | verdict |", "|---|--:|---|"];
  const http = report.http;
  const receiverRatio = http && ratioOf(http, "C", "A");
  const durableRatio = http && ratioOf(http, "D", "A");
  lines.push(`| C/A ≥ ${targets.receiverOverExpress.toFixed(1)} | ${ratio(receiverRatio)} | ${verdict(receiverRatio === undefined ? undefined : receiverRatio >= targets.receiverOverExpress)} |`);
  lines.push(`| D/A ≥ ${targets.durableOverExpress.toFixed(1)} | ${ratio(durableRatio)} | ${verdict(durableRatio === undefined ? undefined : durableRatio >= targets.durableOverExpress)} |`);
  if (report.inProcess) {
    for (const result of report.inProcess) {
      const share = result.floorNanoseconds / result.receiveNanoseconds;
      lines.push(
        `| ${result.provider} ${result.label}: rate ≥ ${targets.normalizationOverFloor} × JSON.parse rate | ${ratio(share)} | ${verdict(share >= targets.normalizationOverFloor)} |`,
      );
    }
  } else {
    lines.push(`| normalization rate ≥ ${targets.normalizationOverFloor} × JSON.parse rate | – | not measured |`);
  }
  const halfLoadP99 = http?.halfLoad?.paced.p99Ms;
  const bareP99 = http?.halfLoad?.baselines.find((baseline) => baseline.key === "A")?.paced.p99Ms;
  const halfLoadFigure =
    halfLoadP99 === undefined ? "–" : `${milliseconds(halfLoadP99)} ms${bareP99 === undefined ? "" : ` (A at the same rate: ${milliseconds(bareP99)} ms)`}`;
  if (http) lines.push(...batchTargetRows(http));
  lines.push(
    `| p99 at 50 % of D's maximum < ${targets.halfLoadP99Ms} ms (paced) | ${halfLoadFigure} | ${verdict(halfLoadP99 === undefined ? undefined : halfLoadP99 < targets.halfLoadP99Ms)} |`,
  );
  if (report.delivery) {
    for (const { label, ratio: share } of drainRatios(report.delivery)) {
      lines.push(
        `| backlog drained into ${label} ≥ ${drainOverServerTarget} × the server's own write rate | ${share === undefined ? "–" : share.toFixed(3)} | ${verdict(share === undefined ? undefined : share >= drainOverServerTarget)} |`,
      );
    }
  }
  return lines;
}

/** The whole result as Markdown: the machine, every table, and the targets. */
export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `# friendhook benchmark, ${report.generatedAt}`,
    "",
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGibibytes} GiB, Node.js ${machine.node}, ${machine.os}; ` +
      `load average ${machine.loadAverage} at the end of the run. Run: \`${report.command}\` (${report.mode}).`,
    "",
  ];
  if (report.inProcess) lines.push(...inProcessSection(report.inProcess), "");
  if (report.http) lines.push(...httpSection(report.http), "");
  if (report.delivery) lines.push(...deliverySection(report.delivery), "");
  if (report.stages) lines.push(...stagesSection(report.stages, report.delivery), "");
  lines.push(...targetsSection(report), "");
  return lines.join("\n");
}
