import { type Socket, connect } from "node:net";
import { requestBodies } from "./autocannon-load";
import type { LoadSample } from "./load-sample";

export interface PacedLoad {
  readonly port: number;
  readonly path: string;
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
}

/** How often due requests are released; they are released in order, never in bursts of a second. */
const tickMs = 1;

const headerEnd = Buffer.from("\r\n\r\n");
const chunkedEnd = Buffer.from("\r\n0\r\n\r\n");

/**
 * The byte length of the first complete response in `received`, or undefined while it is incomplete.
 * Enough HTTP/1.1 for the benchmark's servers: a Content-Length body, or a chunked one.
 */
function completeResponseLength(received: Buffer): { length: number; statusCode: number } | undefined {
  const headerLength = received.indexOf(headerEnd);
  if (headerLength < 0) return undefined;
  const head = received.subarray(0, headerLength).toString("latin1");
  const statusCode = Number(head.slice(9, 12));
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (contentLength !== undefined) {
    const length = headerLength + headerEnd.length + Number(contentLength);
    return received.length >= length ? { length, statusCode } : undefined;
  }
  const end = received.indexOf(chunkedEnd, headerLength);
  return end < 0 ? undefined : { length: end + chunkedEnd.length, statusCode };
}

interface Connection {
  readonly socket: Socket;
  /** When the request now in flight was queued; undefined while the connection is idle. */
  inFlightSince: number | undefined;
  received: Buffer;
}

/**
 * An open-loop load at a fixed rate, on raw keep-alive connections (as light as autocannon's):
 * requests fall due evenly through each second and are queued when due, whether or not earlier ones
 * were answered; each goes out on the next idle connection. A latency runs from the moment its
 * request was queued, so time spent waiting for a free connection counts. This is what "50 % load"
 * means. autocannon's `overallRate` instead lets each connection send its quota for the second as
 * fast as it can and then wait, which measures bursts at full speed rather than a steady half load.
 */
export async function runPaced(load: PacedLoad, sample: LoadSample): Promise<void> {
  const nextBody = requestBodies(load.body);
  const head = `POST ${load.path} HTTP/1.1\r\nHost: 127.0.0.1:${load.port}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n`;
  const requestBytes = () => {
    const body = Buffer.from(nextBody());
    return Buffer.concat([Buffer.from(`${head}Content-Length: ${body.length}\r\n\r\n`, "latin1"), body]);
  };
  const total = Math.round(load.requestsPerSecond * load.seconds);
  const queue: number[] = [];
  let queued = 0;
  let answered = 0;
  let finished!: () => void;
  const allAnswered = new Promise<void>((resolve) => {
    finished = resolve;
  });

  const idle: Connection[] = [];
  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) {
      const connection = idle.pop() as Connection;
      connection.inFlightSince = queue.shift();
      connection.socket.write(requestBytes());
    }
  };
  const settle = (connection: Connection, statusCode: number | undefined) => {
    const queuedAt = connection.inFlightSince;
    connection.inFlightSince = undefined;
    if (queuedAt !== undefined) {
      if (statusCode === undefined) sample.recordError();
      else sample.recordResponse(statusCode, performance.now() - queuedAt);
      answered += 1;
    }
    if (answered >= total) finished();
  };

  const connections = await Promise.all(
    Array.from({ length: load.connections }, () => {
      return new Promise<Connection>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port: load.port }, () => resolve(connection));
        socket.setNoDelay(true);
        const connection: Connection = { socket, inFlightSince: undefined, received: Buffer.alloc(0) };
        socket.once("error", reject);
        socket.on("data", (chunk: Buffer) => {
          connection.received = connection.received.length === 0 ? chunk : Buffer.concat([connection.received, chunk]);
          const response = completeResponseLength(connection.received);
          if (!response) return;
          connection.received = connection.received.subarray(response.length);
          settle(connection, response.statusCode);
          idle.push(connection);
          dispatch();
        });
      });
    }),
  );
  for (const connection of connections) {
    connection.socket.removeAllListeners("error");
    connection.socket.on("error", () => settle(connection, undefined));
    idle.push(connection);
  }

  const startedAt = performance.now();
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * load.requestsPerSecond));
    const now = performance.now();
    while (queued < due) {
      queue.push(now);
      queued += 1;
    }
    dispatch();
    if (queued >= total) clearInterval(timer);
  }, tickMs);
  // Connections that died leave requests unanswered: the run ends at its length plus a grace period.
  const deadline = setTimeout(finished, (load.seconds + 30) * 1000);
  await allAnswered;
  clearTimeout(deadline);
  clearInterval(timer);
  sample.addDuration((performance.now() - startedAt) / 1000);
  for (const connection of connections) connection.socket.destroy();
}
