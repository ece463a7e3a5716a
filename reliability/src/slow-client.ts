import { connect } from "node:net";

export interface SlowClientOptions {
  /** Path and query string. */
  readonly path: string;
  /** The Content-Length announced; far more than will ever be sent. */
  readonly declaredLength: number;
  /** `stall`: the headers and a few bytes, then nothing. `trickle`: one more byte every `trickleIntervalMs`. */
  readonly behaviour: "stall" | "trickle";
  readonly trickleIntervalMs?: number;
  /** Gives up (and reports `hung`) when the server neither answers nor closes within this time. */
  readonly giveUpAfterMs: number;
}

export interface SlowClientResult {
  /** The status of the answer, when one came. */
  readonly status: number | undefined;
  /** The server closed the connection. */
  readonly closed: boolean;
  /** Neither happened before `giveUpAfterMs`: the server would have waited forever. */
  readonly hung: boolean;
  /** Body bytes the client had sent by then. */
  readonly bytesSent: number;
  /** From the end of the headers to the answer or close: a figure, never asserted. */
  readonly waitedMs: number;
}

/**
 * A client that sends a request's headers and then too little of its body, too slowly (the
 * "slowloris" family of attacks on a server's connections and memory).
 */
export function runSlowClient(baseUrl: string, options: SlowClientOptions): Promise<SlowClientResult> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let received = "";
    let bytesSent = 0;
    let startedAt = Date.now();
    let trickle: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closed: boolean, hung: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(trickle);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), closed, hung, bytesSent, waitedMs: Date.now() - startedAt });
      socket.destroy();
    };
    const giveUp = setTimeout(() => finish(false, true), options.giveUpAfterMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      // A complete answer head is enough: whether the server then closes is its choice.
      if (received.includes("\r\n\r\n")) finish(false, false);
    });
    socket.on("close", () => finish(true, false));
    socket.on("error", () => finish(true, false));
    socket.on("connect", () => {
      socket.write(
        `POST ${options.path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${options.declaredLength}\r\n\r\n{"callId":`,
      );
      bytesSent = 10;
      startedAt = Date.now();
      if (options.behaviour === "trickle") {
        trickle = setInterval(() => {
          if (socket.writable) {
            socket.write("1");
            bytesSent += 1;
          }
        }, options.trickleIntervalMs ?? 250);
      }
    });
  });
}
