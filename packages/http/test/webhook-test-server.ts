import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The status answered; absent when the server hung up or never answered. */
  readonly status?: number;
}

/** Answers 413 to a body larger than this, as a receiver with a body limit does. */
export const bodyLimitBytes = 64 * 1024;

/** How the server answers one request; `crash` ends the connection without an answer. */
export type Answer = { status: number; headers?: Record<string, string> } | "crash" | "hang";

/**
 * A real HTTP server on 127.0.0.1 that records every request, answers as `answer` says (by
 * default 204, or 413 to a body over `bodyLimitBytes`), and can be stopped and started again on the same port.
 */
export interface WebhookTestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  answer: (request: ReceivedRequest) => Answer;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startWebhookTestServer(port = 0): Promise<WebhookTestServer> {
  let server: Server | undefined;
  const hanging = new Set<ServerResponse>();
  const state: WebhookTestServer = {
    url: "",
    port,
    requests: [],
    answer: (request) => (Buffer.byteLength(request.body) > bodyLimitBytes ? { status: 413 } : { status: 204 }),
    async stop() {
      const stopping = server;
      server = undefined;
      if (!stopping) return;
      for (const response of hanging) response.destroy();
      hanging.clear();
      stopping.closeAllConnections();
      await new Promise<void>((resolve) => stopping.close(() => resolve()));
    },
    async start() {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const received = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
          const answer = state.answer(received);
          if (answer === "crash") {
            request.socket.destroy();
            return;
          }
          if (answer === "hang") {
            state.requests.push(received);
            hanging.add(response);
            return;
          }
          state.requests.push({ ...received, status: answer.status });
          response.writeHead(answer.status, answer.headers).end();
        });
      });
      const listening = server;
      const listen = () =>
        new Promise<void>((resolve, reject) => {
          listening.once("error", reject);
          listening.listen(state.port, "127.0.0.1", () => {
            listening.off("error", reject);
            resolve();
          });
        });
      // Started again on its port, which the system may have given to another socket meanwhile (an
      // outgoing connection of another process on a busy machine): try again until it is free.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await listen();
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || state.port === 0 || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const address = listening.address() as AddressInfo;
      Object.assign(state, { port: address.port, url: `http://127.0.0.1:${address.port}/webhooks` });
    },
  };
  await state.start();
  return state;
}
