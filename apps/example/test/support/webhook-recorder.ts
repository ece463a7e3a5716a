import { createServer } from "node:http";
import { verifyStandardWebhook } from "@friendhook/http";
import { listenAgainOn, listenOn } from "@friendhook/testkit/helpers";

/** A Standard Webhooks secret for tests (whsec_ and a 24-byte key in base64). */
export const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

export interface WebhookRecorder {
  /** `http://127.0.0.1:PORT/hooks`: the same across restarts. */
  readonly url: string;
  /** The `webhook-id` of every verified request, in arrival order, repeats included. */
  readonly arrivals: readonly string[];
  /** Requests whose signature did not verify. */
  readonly refused: number;
  /** Stops listening and cuts the connections, requests in flight included, as a crash would. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export interface WebhookRecorderOptions {
  /** The secret the signatures are verified with; `webhookSecret` by default. */
  readonly secret?: string;
  /** The answer to a verified webhook: 204 by default, 500 for an endpoint that is broken. */
  readonly status?: number;
}

/**
 * An endpoint of the HTTP sink: it verifies each webhook's signature, records its `webhook-id`,
 * and answers 204, as a receiver that dedupes on the id would.
 */
export async function startWebhookRecorder(options: WebhookRecorderOptions = {}): Promise<WebhookRecorder> {
  const { secret = webhookSecret, status = 204 } = options;
  const arrivals: string[] = [];
  let refused = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        const { id } = verifyStandardWebhook({ body: Buffer.concat(chunks), headers: request.headers, secret });
        arrivals.push(id);
        response.writeHead(status).end();
      } catch {
        refused += 1;
        response.writeHead(400).end();
      }
    });
  });
  const port = await listenOn(server, 0);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    get refused() {
      return refused;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    async restart() {
      await listenAgainOn(server, port);
    },
  };
}
