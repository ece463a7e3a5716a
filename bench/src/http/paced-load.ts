import { Agent, request } from "node:http";
import type { LoadSample } from "./load-sample";
import { requestBodies } from "./autocannon-load";

export interface PacedLoad {
  readonly port: number;
  readonly path: string;
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
}

/** Requests go out every tick, as many as are due, so that the load is spread over each second. */
const tickMs = 2;

/**
 * An open-loop load at a fixed rate: requests are sent when they are due, whether or not earlier ones
 * were answered, and each latency runs from when the request was handed to the connection pool
 * (so a request that waits for a free connection counts its wait). This is what "50 % load"
 * means. autocannon's `overallRate` lets each connection send its quota for the second as fast as it
 * can and then wait, which measures bursts at full speed rather than a steady half load.
 */
export async function runPaced(load: PacedLoad, sample: LoadSample): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const nextBody = requestBodies(load.body);
  const total = Math.round(load.requestsPerSecond * load.seconds);
  const startedAt = performance.now();
  let sent = 0;
  let outstanding = 0;
  let finished!: () => void;
  const allAnswered = new Promise<void>((resolve) => {
    finished = resolve;
  });

  const send = () => {
    const sentAt = performance.now();
    const body = Buffer.from(nextBody());
    outstanding += 1;
    const settle = (statusCode: number | undefined) => {
      if (statusCode === undefined) sample.recordError();
      else sample.recordResponse(statusCode, performance.now() - sentAt);
      outstanding -= 1;
      if (sent >= total && outstanding === 0) finished();
    };
    const outgoing = request(
      { agent, host: "127.0.0.1", port: load.port, method: "POST", path: load.path, headers: { "content-type": "application/json", "content-length": body.length } },
      (response) => {
        response.resume();
        response.on("end", () => settle(response.statusCode));
        response.on("error", () => settle(undefined));
      },
    );
    outgoing.on("error", () => settle(undefined));
    outgoing.end(body);
  };

  const timer = setInterval(() => {
    const elapsedMs = performance.now() - startedAt;
    const due = Math.min(total, Math.floor((elapsedMs / 1000) * load.requestsPerSecond));
    while (sent < due) {
      send();
      sent += 1;
    }
    if (sent >= total) clearInterval(timer);
  }, tickMs);
  await allAnswered;
  sample.addDuration((performance.now() - startedAt) / 1000);
  agent.destroy();
}
