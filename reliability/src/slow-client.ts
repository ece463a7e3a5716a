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

export interface SlowUploadOptions {
  /** Path and query string. */
  readonly path: string;
  /** Headers besides Host and Content-Length. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body's length, announced by Content-Length. */
  readonly totalBytes: number;
  /** Sent at once, after the headers; the rest follows `bytesPerInterval` at a time. */
  readonly firstBytes?: number;
  /** 0: nothing after `firstBytes`, the upload stalls there. */
  readonly bytesPerInterval: number;
  readonly intervalMs: number;
  /** Gives up (and reports `hung`) when the server neither answers nor closes within this time. */
  readonly giveUpAfterMs: number;
  /** Closes the connection from the client's side, as a client that gives up does. */
  readonly signal?: AbortSignal;
}

export interface SlowUploadResult {
  readonly status: number | undefined;
  /** The answer's body; undefined when none came whole. */
  readonly body: string | undefined;
  readonly closed: boolean;
  /** The client closed the connection (`signal`) before any answer came. */
  readonly abandoned: boolean;
  readonly hung: boolean;
  /** Body bytes written when the answer (or the close) came. */
  readonly bytesSentAtAnswer: number;
  /** From the end of the headers to the answer: a figure, never asserted. */
  readonly answeredAfterMs: number;
}

/**
 * An upload at a given pace (150 kB/s, say), or one that sends part of its body and stalls: it
 * reports how much of the body it had sent when the server answered.
 */
export function runSlowUpload(baseUrl: string, options: SlowUploadOptions): Promise<SlowUploadResult> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let received = "";
    let bytesSent = 0;
    let startedAt = Date.now();
    let pacing: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closed: boolean, hung: boolean, abandoned = false) => {
      if (settled) return;
      settled = true;
      clearInterval(pacing);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        body: answerBodyOf(received),
        closed,
        abandoned,
        hung,
        bytesSentAtAnswer: bytesSent,
        answeredAfterMs: Date.now() - startedAt,
      });
      socket.destroy();
    };
    const giveUp = setTimeout(() => finish(false, true), options.giveUpAfterMs);
    options.signal?.addEventListener("abort", () => finish(true, false, true), { once: true });
    const send = (bytes: number) => {
      const count = Math.min(bytes, options.totalBytes - bytesSent);
      if (count <= 0 || !socket.writable) return;
      socket.write(Buffer.alloc(count, 0x20));
      bytesSent += count;
    };
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (answerBodyOf(received) !== undefined) finish(false, false);
    });
    socket.on("close", () => finish(true, false));
    socket.on("error", () => finish(true, false));
    socket.on("connect", () => {
      const headers = Object.entries(options.headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
      socket.write(`POST ${options.path} HTTP/1.1\r\nHost: ${url.host}\r\n${headers}Content-Length: ${options.totalBytes}\r\n\r\n`);
      startedAt = Date.now();
      send(options.firstBytes ?? 0);
      if (options.bytesPerInterval > 0) pacing = setInterval(() => send(options.bytesPerInterval), options.intervalMs);
    });
  });
}

/** The body of a complete HTTP/1.1 answer in `received` (by Content-Length or chunked), else undefined. */
function answerBodyOf(received: string): string | undefined {
  const headEnd = received.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;
  const head = received.slice(0, headEnd);
  let rest = received.slice(headEnd + 4);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return rest.length >= Number(length) ? rest.slice(0, Number(length)) : undefined;
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return "";
  let body = "";
  for (;;) {
    const sizeEnd = rest.indexOf("\r\n");
    if (sizeEnd < 0) return undefined;
    const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
    if (size === 0) return body;
    if (rest.length < sizeEnd + 2 + size + 2) return undefined;
    body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
    rest = rest.slice(sizeEnd + 2 + size + 2);
  }
}
