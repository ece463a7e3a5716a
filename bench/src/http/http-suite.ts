import type { BenchOptions } from "../bench-options";
import { signedTencentPath, tencentFriendAddBody } from "../payloads/tencent-payloads";
import { requestBodies, requestIdMarker, runAutocannon } from "./autocannon-load";
import { type HttpTarget, interleavedTargets } from "./http-targets";
import { LoadSample, type LoadSummary } from "./load-sample";
import { runPaced } from "./paced-load";
import { type ServerChild, startServerChild } from "./server-child";

export interface TargetResult {
  readonly key: string;
  readonly title: string;
  /** Why the target was not measured, when it was not. */
  readonly unavailable?: string;
  readonly sustained?: LoadSummary;
  readonly residentBytesIdle?: number;
  readonly residentBytesAfterSustained?: number;
  readonly heapUsedBytesAfterSustained?: number;
  /** The same load with a 100-pair PairList per request, after the 1,000-pair one. */
  readonly mediumPayload?: LoadSummary;
  /** The same load with a 1,000-pair PairList per request. */
  readonly largePayload?: LoadSummary;
  readonly residentBytesAfterLargePayload?: number;
}

export interface HalfLoadResult {
  readonly key: string;
  /** Half of the target's measured maximum, in requests per second. */
  readonly requestsPerSecond: number;
  /** Evenly paced, open loop: the figure the target is judged by. */
  readonly paced: LoadSummary;
  /** autocannon's `overallRate`, which releases each connection's quota at the start of every second. */
  readonly autocannonOverallRate: LoadSummary;
  /**
   * The same paced load on the bare servers (A, B): the tail the machine, the load generator and
   * the framework give a server that stores nothing, measured in the same run.
   */
  readonly baselines: ReadonlyArray<{ readonly key: string; readonly paced: LoadSummary }>;
}

export interface HttpResults {
  readonly connections: number;
  readonly secondsPerTarget: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly largePayloadSeconds: number;
  readonly smallBodyBytes: number;
  readonly mediumBodyBytes: number;
  readonly largeBodyBytes: number;
  readonly targets: readonly TargetResult[];
  readonly halfLoad: HalfLoadResult | undefined;
}

const progress = (line: string) => process.stderr.write(`  ${line}\n`);

/** Every request carries its own RequestId, so every callback is a new fact for the stores. */
const smallBody = tencentFriendAddBody(1, requestIdMarker);
const mediumBody = tencentFriendAddBody(100, requestIdMarker);
const largeBody = tencentFriendAddBody(1000, requestIdMarker);

function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").slice(0, 6).join(" | ").slice(0, 400);
}

interface Running {
  readonly target: HttpTarget;
  readonly child: ServerChild;
  readonly sample: LoadSample;
  residentBytesIdle: number;
}

async function start(target: HttpTarget, options: BenchOptions, results: Map<string, TargetResult>): Promise<Running | undefined> {
  try {
    const started = await startServerChild({
      entry: target.entry,
      ...(target.arguments && { arguments: target.arguments }),
      ...(options.profileDirectory && { profileDirectory: options.profileDirectory }),
    });
    if ("unavailable" in started) {
      results.set(target.key, { key: target.key, title: target.title, unavailable: started.unavailable });
      progress(`${target.key}: not available (${started.unavailable})`);
      return undefined;
    }
    const idle = await started.memory();
    progress(`${target.key}: listening on 127.0.0.1:${started.port} (pid ${started.pid})`);
    return { target, child: started, sample: new LoadSample(), residentBytesIdle: idle.residentBytes };
  } catch (error) {
    const reason = `failed to start: ${describeFailure(error)}`;
    results.set(target.key, { key: target.key, title: target.title, unavailable: reason });
    progress(`${target.key}: ${reason}`);
    return undefined;
  }
}

/** The longest wait for a server to work off the callbacks still in it after a stretch of load. */
const settleLimitMs = 60_000;
/** A server has settled once a single one-pair callback is answered within this, twice in a row. */
const settledLatencyMs = 25;

/**
 * Waits until the server has worked off what the last stretch of load left in it (the generator
 * stops sending at its deadline; the server goes on with the callbacks it has read): one one-pair
 * callback at a time until two in a row are answered quickly, so that the next stretch measures
 * only its own load.
 */
async function settle(running: Running): Promise<void> {
  const startedAt = performance.now();
  const nextBody = requestBodies(smallBody);
  let quickInARow = 0;
  while (quickInARow < 2) {
    if (performance.now() - startedAt > settleLimitMs) {
      progress(`${running.target.key}: still busy ${settleLimitMs / 1000} s after the load; the next figures include that`);
      return;
    }
    const sentAt = performance.now();
    await fetch(`http://127.0.0.1:${running.child.port}${signedTencentPath()}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: nextBody(),
    }).then((response) => response.arrayBuffer());
    quickInARow = performance.now() - sentAt < settledLatencyMs ? quickInARow + 1 : 0;
  }
}

/** The longest wait for a server to deliver its backlog after a stretch of load. */
const drainLimitMs = 60_000;

/** Waits until the server has delivered every stored event to its sinks; returns the seconds it took. */
async function drainDeliveries(running: Running): Promise<number> {
  const startedAt = performance.now();
  while ((await running.child.backlog()) > 0) {
    if (performance.now() - startedAt > drainLimitMs) {
      progress(`${running.target.key}: deliveries still pending after ${drainLimitMs / 1000} s; its rate is an upper bound`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (performance.now() - startedAt) / 1000;
}

async function load(running: Running, body: string, seconds: number, connections: number, sample: LoadSample): Promise<void> {
  // Signed now: Tencent's signature is only accepted within a minute of its RequestTime.
  await runAutocannon({ port: running.child.port, path: signedTencentPath(), body, connections, seconds }, sample);
  if (running.target.delivers) sample.addDuration(await drainDeliveries(running));
}

function warnOnFailures(key: string, summary: LoadSummary): void {
  if (summary.failedResponses > 0 || summary.errors > 0) {
    progress(`${key}: ${summary.failedResponses} responses other than 200 and ${summary.errors} errors: its figures are not comparable`);
  }
}

/** Sustained load round after round, then memory. */
async function measureTargets(running: readonly Running[], options: BenchOptions, results: Map<string, TargetResult>): Promise<void> {
  for (const each of running) {
    progress(`${each.target.key}: warming up for ${options.warmupSeconds} s`);
    await load(each, smallBody, options.warmupSeconds, options.connections, new LoadSample());
  }
  const secondsPerRound = options.durationSeconds / options.rounds;
  for (let round = 0; round < options.rounds; round += 1) {
    // Rotate the order so that no target always follows the same neighbour.
    for (let position = 0; position < running.length; position += 1) {
      const each = running[(position + round) % running.length] as Running;
      progress(`round ${round + 1}/${options.rounds}: ${each.target.key} for ${secondsPerRound} s`);
      await load(each, smallBody, secondsPerRound, options.connections, each.sample);
    }
  }
  for (const each of running) {
    const sustained = each.sample.summarize();
    warnOnFailures(each.target.key, sustained);
    const memory = await each.child.memory();
    results.set(each.target.key, {
      key: each.target.key,
      title: each.target.title,
      sustained,
      residentBytesIdle: each.residentBytesIdle,
      residentBytesAfterSustained: memory.residentBytes,
      heapUsedBytesAfterSustained: memory.heapUsedBytes,
    });
  }
}

async function measurePayload(each: Running, body: string, pairs: number, options: BenchOptions): Promise<LoadSummary> {
  progress(`${each.target.key}: ${pairs.toLocaleString("en")}-pair payload for ${options.largePayloadSeconds} s`);
  const sample = new LoadSample();
  await load(each, body, options.largePayloadSeconds, options.connections, sample);
  const summary = sample.summarize();
  warnOnFailures(`${each.target.key} (${pairs.toLocaleString("en")} pairs)`, summary);
  return summary;
}

/**
 * Batches of pairs: 1,000 per callback, the resident memory after them, then 100 per callback. The
 * 1,000-pair run comes first so that it meets the server as it did before the 100-pair run was
 * added: what a store holds changes its rate, and the in-memory store's memory.
 */
async function measureBatchPayloads(each: Running, options: BenchOptions, results: Map<string, TargetResult>): Promise<void> {
  const largePayload = await measurePayload(each, largeBody, 1000, options);
  const memory = await each.child.memory();
  await settle(each);
  const mediumPayload = await measurePayload(each, mediumBody, 100, options);
  const known = results.get(each.target.key);
  results.set(each.target.key, {
    ...known,
    key: each.target.key,
    title: each.target.title,
    mediumPayload,
    largePayload,
    residentBytesAfterLargePayload: memory.residentBytes,
  });
}

/** Paced requests at `requestsPerSecond` for the run's duration, as `runPaced` sends them. */
async function paced(each: Running, requestsPerSecond: number, options: BenchOptions): Promise<LoadSummary> {
  const sample = new LoadSample();
  await runPaced(
    { port: each.child.port, path: signedTencentPath(), body: smallBody, connections: options.connections, seconds: options.durationSeconds, requestsPerSecond },
    sample,
  );
  return sample.summarize();
}

async function measureHalfLoad(each: Running, maximum: number, options: BenchOptions, bare: readonly Running[]): Promise<HalfLoadResult> {
  const requestsPerSecond = maximum / 2;
  progress(`${each.target.key}: ${Math.round(requestsPerSecond)} requests/s (50 % of its maximum), paced, for ${options.durationSeconds} s`);
  const durablePaced = await paced(each, requestsPerSecond, options);
  const baselines: Array<{ key: string; paced: LoadSummary }> = [];
  for (const baseline of bare) {
    progress(`${baseline.target.key}: the same rate, paced, for ${options.durationSeconds} s`);
    baselines.push({ key: baseline.target.key, paced: await paced(baseline, requestsPerSecond, options) });
  }
  progress(`${each.target.key}: the same rate with autocannon overallRate, for ${options.durationSeconds} s`);
  const bursts = new LoadSample();
  await runAutocannon(
    { port: each.child.port, path: signedTencentPath(), body: smallBody, connections: options.connections, seconds: options.durationSeconds, overallRate: requestsPerSecond },
    bursts,
  );
  return { key: each.target.key, requestsPerSecond, paced: durablePaced, autocannonOverallRate: bursts.summarize(), baselines };
}

export async function runHttpSuite(options: BenchOptions): Promise<HttpResults> {
  const results = new Map<string, TargetResult>();
  const running: Running[] = [];
  const selected = (target: HttpTarget) => options.targets === undefined || options.targets.includes(target.key);
  try {
    for (const target of interleavedTargets.filter(selected)) {
      const started = await start(target, options, results);
      if (started) running.push(started);
    }
    await measureTargets(running, options, results);
    const durable = running.find((each) => each.target.key === "D");
    const durableRate = results.get("D")?.sustained?.requestsPerSecond;
    const bare = running.filter((each) => each.target.key === "A" || each.target.key === "B");
    const halfLoad = durable && durableRate ? await measureHalfLoad(durable, durableRate, options, bare) : undefined;
    for (const each of running) await measureBatchPayloads(each, options, results);
    for (const each of running.splice(0)) await each.child.stop();
    return {
      connections: options.connections,
      secondsPerTarget: options.durationSeconds,
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
      largePayloadSeconds: options.largePayloadSeconds,
      smallBodyBytes: Buffer.byteLength(requestBodies(smallBody)()),
      mediumBodyBytes: Buffer.byteLength(requestBodies(mediumBody)()),
      largeBodyBytes: Buffer.byteLength(requestBodies(largeBody)()),
      targets: interleavedTargets.filter(selected).map(
        (target) => results.get(target.key) ?? { key: target.key, title: target.title, unavailable: "not measured" },
      ),
      halfLoad,
    };
  } finally {
    await Promise.all(running.map((each) => each.child.stop()));
  }
}
