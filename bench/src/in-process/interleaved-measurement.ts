import { median, relativeSpread } from "../report/statistics";

/** One thing to time: a call that is either synchronous or returns a promise (awaited each time). */
export interface Workload {
  readonly name: string;
  readonly run: () => unknown;
}

export interface WorkloadTiming {
  readonly name: string;
  /** The median over the measured rounds. */
  readonly nanosecondsPerCall: number;
  /** Half the interquartile range over the rounds, relative to the median. */
  readonly spread: number;
  readonly samples: readonly number[];
}

export interface MeasurementSettings {
  /** Rounds over every workload; the first calibrates and warms up, and is not counted. */
  readonly rounds: number;
  /** The time one sample of one workload should take. */
  readonly sampleMilliseconds: number;
}

// Written after each sample, so that no result can be optimized away.
let observed: unknown;

async function timeCalls(workload: Workload, calls: number): Promise<number> {
  const startedAt = process.hrtime.bigint();
  for (let call = 0; call < calls; call += 1) {
    const result = workload.run();
    observed = result instanceof Promise ? await result : result;
  }
  return Number(process.hrtime.bigint() - startedAt);
}

/** How many calls fill one sample: doubled from one until a batch takes a tenth of the sample. */
async function calibrate(workload: Workload, sampleMilliseconds: number): Promise<number> {
  const targetNanoseconds = sampleMilliseconds * 1e6;
  let calls = 1;
  for (;;) {
    const elapsed = await timeCalls(workload, calls);
    if (elapsed >= targetNanoseconds / 10) return Math.max(1, Math.round((calls * targetNanoseconds) / elapsed));
    calls *= 2;
  }
}

/**
 * Times every workload in rounds, in a rotating order, so that drift (thermal, other processes, the
 * garbage collector's state) falls on every workload alike rather than on whichever ran last. Each
 * sample is a fixed number of calls, calibrated once in the warm-up round.
 */
export async function measureInterleaved(workloads: readonly Workload[], settings: MeasurementSettings): Promise<WorkloadTiming[]> {
  const callsPerSample = new Map<string, number>();
  for (const workload of workloads) {
    callsPerSample.set(workload.name, await calibrate(workload, settings.sampleMilliseconds));
    await timeCalls(workload, callsPerSample.get(workload.name) ?? 1);
  }
  const samples = new Map<string, number[]>(workloads.map((workload) => [workload.name, []]));
  for (let round = 0; round < settings.rounds - 1; round += 1) {
    for (let position = 0; position < workloads.length; position += 1) {
      const workload = workloads[(position + round) % workloads.length] as Workload;
      const calls = callsPerSample.get(workload.name) ?? 1;
      samples.get(workload.name)?.push((await timeCalls(workload, calls)) / calls);
    }
  }
  if (observed === Symbol.for("never")) process.stdout.write("");
  return workloads.map((workload) => {
    const values = samples.get(workload.name) ?? [];
    return { name: workload.name, nanosecondsPerCall: median(values), spread: relativeSpread(values), samples: values };
  });
}
