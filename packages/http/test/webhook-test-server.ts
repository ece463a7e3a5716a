import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { listenAgainOn, listenOn } from "@friendhook/testkit/helpers";

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
      let port = state.port;
      if (port === 0) port = await listenOn(server, 0);
      // Started again on its port, which another socket may hold meanwhile: tried until it is free.
      else await listenAgainOn(server, port);
      Object.assign(state, { port, url: `http://127.0.0.1:${port}/webhooks` });
    },
  };
  await state.start();
  return state;
}
