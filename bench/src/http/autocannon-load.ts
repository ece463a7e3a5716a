import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import type { LoadSample } from "./load-sample";

/** Where a body template takes each request's own id. */
export const requestIdMarker = "[<id>]";

/**
 * Fills the marker with a fresh id of fixed length (so that every body has the same size): a random
 * prefix for the run and a counter. autocannon's own `idReplacement` sends nothing in this version.
 */
export function requestBodies(template: string): () => string {
  const [before = "", after = ""] = template.split(requestIdMarker);
  const run = randomBytes(4).toString("hex");
  let counter = 0;
  return () => {
    counter += 1;
    return `${before}${run}-${String(counter).padStart(18, "0")}${after}`;
  };
}

export interface AutocannonLoad {
  readonly port: number;
  /** Path and query, signed just before the run. */
  readonly path: string;
  /** The body, with `requestIdMarker` where every request gets an id of its own. */
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second over all connections; as fast as the server answers when absent. */
  readonly overallRate?: number;
}

/**
 * Drives one server with autocannon and adds what it saw to `sample`: every response's latency as
 * autocannon timed it (from writing the request to parsing the answer), and the status codes.
 */
export async function runAutocannon(load: AutocannonLoad, sample: LoadSample): Promise<void> {
  const nextBody = requestBodies(load.body);
  const startedAt = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${load.port}`,
        connections: load.connections,
        duration: load.seconds,
        ...(load.overallRate === undefined ? {} : { overallRate: Math.max(1, Math.round(load.overallRate)) }),
        requests: [
          {
            method: "POST",
            path: load.path,
            headers: { "content-type": "application/json" },
            setupRequest: (request) => ({ ...request, body: nextBody() }),
          },
        ],
      },
      (error) => (error ? reject(error) : resolve()),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => sample.recordResponse(statusCode, responseTime));
    instance.on("reqError", () => sample.recordError());
  });
  sample.addDuration((performance.now() - startedAt) / 1000);
}
