import { cpus, loadavg, platform, release, totalmem } from "node:os";

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGibibytes: number;
  readonly node: string;
  readonly os: string;
  /** The one-minute load average when the run ended: how busy the machine was with other work too. */
  readonly loadAverage: number;
}

export function describeMachine(): Machine {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    memoryGibibytes: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  };
}
