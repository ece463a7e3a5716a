import { parseArgs } from "node:util";

export interface BenchOptions {
  /** A short run for a quick look (under two minutes); the figures are noisier. */
  readonly quick: boolean;
  /** Which parts run. */
  readonly parts: { readonly inProcess: boolean; readonly http: boolean; readonly delivery: boolean };
  /** Events in the stored backlog the delivery part drains into each server. */
  readonly backlogEvents: number;
  /** Measured seconds per HTTP target, split over the rounds. */
  readonly durationSeconds: number;
  /** Seconds of load each HTTP target gets before its first measured round. */
  readonly warmupSeconds: number;
  /** Rounds over all HTTP targets; interleaving them spreads machine drift over every target alike. */
  readonly rounds: number;
  readonly connections: number;
  /** Seconds of load with the 1,000-pair payload, per target, before its memory is read. */
  readonly largePayloadSeconds: number;
  /** Rounds of the in-process measurements; the first is a warm-up and is dropped. */
  readonly inProcessRounds: number;
  /** Milliseconds per in-process sample. */
  readonly sampleMilliseconds: number;
  /** The HTTP targets to measure, by key (`A`, `B`, … `D+sink`); all when absent. */
  readonly targets: readonly string[] | undefined;
  /** Run the server children under `node --cpu-prof`, writing profiles to this directory. */
  readonly profileDirectory: string | undefined;
  /** Also put the report into BENCHMARKS.md at the repository root, between its result markers. */
  readonly updateBenchmarks: boolean;
  /** Where latest.md and latest.json are written. */
  readonly resultsDirectory: string;
}

const usage = `pnpm bench [--quick] [--only in-process|http|delivery] [--duration SECONDS] [--warmup SECONDS]
           [--rounds N] [--connections N] [--large-duration SECONDS] [--targets A,B,C,D,E,D+sink]
           [--backlog EVENTS] [--profile DIRECTORY] [--update-benchmarks]

Every flag can also be given as an environment variable: BENCH_QUICK=1, BENCH_ONLY, BENCH_DURATION,
BENCH_WARMUP, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_LARGE_DURATION, BENCH_TARGETS, BENCH_BACKLOG,
BENCH_PROFILE.`;

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name} must be a positive number (got "${text}")\n\n${usage}`);
  }
  return value;
}

/** Reads the flags, then the BENCH_* environment variables, then the defaults (quick or full). */
export function parseBenchOptions(argv: readonly string[], environment: NodeJS.ProcessEnv, resultsDirectory: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string" },
      "large-duration": { type: "string" },
      targets: { type: "string" },
      backlog: { type: "string" },
      profile: { type: "string" },
      "update-benchmarks": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const quick = values.quick ?? ["1", "true"].includes(environment.BENCH_QUICK ?? "");
  const only = values.only ?? environment.BENCH_ONLY;
  const parts = ["in-process", "http", "delivery"];
  if (only !== undefined && !parts.includes(only)) {
    throw new Error(`--only must be one of ${parts.join(", ")} (got "${only}")\n\n${usage}`);
  }
  return {
    quick,
    parts: { inProcess: only === undefined || only === "in-process", http: only === undefined || only === "http", delivery: only === undefined || only === "delivery" },
    backlogEvents: Math.max(1_000, Math.round(positiveNumber("backlog", values.backlog ?? environment.BENCH_BACKLOG, quick ? 20_000 : 100_000) / 1_000) * 1_000),
    durationSeconds: positiveNumber("duration", values.duration ?? environment.BENCH_DURATION, quick ? 3 : 10),
    warmupSeconds: positiveNumber("warmup", values.warmup ?? environment.BENCH_WARMUP, quick ? 1 : 3),
    rounds: Math.round(positiveNumber("rounds", values.rounds ?? environment.BENCH_ROUNDS, quick ? 2 : 5)),
    connections: Math.round(positiveNumber("connections", values.connections ?? environment.BENCH_CONNECTIONS, 50)),
    largePayloadSeconds: positiveNumber("large-duration", values["large-duration"] ?? environment.BENCH_LARGE_DURATION, quick ? 2 : 5),
    inProcessRounds: quick ? 4 : 8,
    sampleMilliseconds: quick ? 100 : 250,
    targets: (values.targets ?? environment.BENCH_TARGETS)?.split(",").map((key) => key.trim()).filter(Boolean),
    profileDirectory: values.profile ?? environment.BENCH_PROFILE,
    updateBenchmarks: values["update-benchmarks"] ?? false,
    resultsDirectory,
  };
}
