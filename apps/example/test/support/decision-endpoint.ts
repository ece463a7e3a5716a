import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { listenOn } from "@friendhook/testkit/helpers";

export interface ReceivedDecisionRequest {
  readonly headers: IncomingHttpHeaders;
  /** The exact body, as the signature covers it. */
  readonly body: string;
}

export interface DecisionEndpoint {
  readonly url: string;
  /** Every request the endpoint received, in order. */
  readonly received: ReceivedDecisionRequest[];
  /** How many requests were given up by the app (the connection closed before an answer). */
  abandoned(): number;
  close(): Promise<void>;
}

/** What the endpoint does with a request: answer it now, or hold it (resolve `undefined`) until the app gives up. */
export type DecisionHandler = (received: ReceivedDecisionRequest, response: ServerResponse) => void;

/** A real HTTP decision endpoint on 127.0.0.1, recording what it receives. */
export async function startDecisionEndpoint(handle: DecisionHandler): Promise<DecisionEndpoint> {
  const received: ReceivedDecisionRequest[] = [];
  const held = new Set<ServerResponse>();
  let abandoned = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(entry);
      held.add(response);
      response.on("close", () => {
        held.delete(response);
        if (!response.writableEnded) abandoned += 1;
      });
      handle(entry, response);
    });
  });
  const port = await listenOn(server, 0);
  return {
    url: `http://127.0.0.1:${port}/decide`,
    received,
    abandoned: () => abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers `body` as JSON with `status`. */
export function answerJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
}
