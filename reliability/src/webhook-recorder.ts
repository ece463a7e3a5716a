import { type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type FriendEvent, isFriendhookError } from "@friendhook/core";
import { type StandardWebhookPayload, verifyStandardWebhook } from "@friendhook/http";

/** One webhook the app's HTTP sink delivered, verified. */
export interface RecordedDelivery {
  /** `webhook-id`: the event id. */
  readonly webhookId: string;
  readonly event: FriendEvent;
  /** Which process life of the app was running when it arrived (set by the test's `lifeOf`). */
  readonly life: number;
}

/**
 * `accept`: 204. `unavailable`: 503 with a `Retry-After` (`retryAfter`, 1 s by default), recording
 * nothing. `hang`: no answer at all, the request held open until the sink gives up or the recorder closes.
 */
export type RecorderMode = "accept" | "unavailable" | "hang";

export interface WebhookRecorder {
  /** Where the app's HTTP sink sends: `http://127.0.0.1:PORT/webhooks`. */
  readonly url: string;
  /** Every accepted delivery, in the order it arrived, retries included. */
  readonly deliveries: readonly RecordedDelivery[];
  /** Requests answered 503 or refused for a bad signature. */
  readonly refusedRequests: number;
  /** Requests whose Standard Webhooks signature did not verify: must stay 0. */
  readonly badSignatures: number;
  /** Requests held without an answer (mode `hang`). */
  readonly heldRequests: number;
  mode: RecorderMode;
  /** The `Retry-After` of a 503 in mode `unavailable`, as written (any text, however long). */
  retryAfter: string;
  /** Closes the port: the sink's requests are refused at connection. */
  close(): Promise<void>;
  /** Listens again, on the same port. */
  reopen(): Promise<void>;
}

/**
 * The endpoint of the app's HTTP sink, in the test process: it verifies each webhook's signature
 * with the app's secret and records deliveries by `webhook-id`, across any number of app restarts.
 * It can answer 503 or close its port, to play a downstream outage.
 */
export async function startWebhookRecorder(secret: string, lifeOf: () => number = () => 0): Promise<WebhookRecorder> {
  const deliveries: RecordedDelivery[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let refusedRequests = 0;
  let badSignatures = 0;
  let heldRequests = 0;

  const answer = (response: ServerResponse, status: number, headers: Record<string, string> = {}) => {
    response.writeHead(status, headers).end();
  };

  const listen = async () => {
    const listening = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (recorder.mode === "hang") {
          heldRequests += 1;
          return;
        }
        if (recorder.mode === "unavailable") {
          refusedRequests += 1;
          answer(response, 503, { "retry-after": recorder.retryAfter });
          return;
        }
        try {
          const verified = verifyStandardWebhook({ body: Buffer.concat(chunks), headers: request.headers, secret });
          deliveries.push({ webhookId: verified.id, event: (verified.payload as StandardWebhookPayload).data, life: lifeOf() });
          answer(response, 204);
        } catch (error) {
          if (!isFriendhookError(error)) throw error;
          badSignatures += 1;
          refusedRequests += 1;
          answer(response, 401);
        }
      });
    });
    listening.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    const listenOnce = () =>
      new Promise<void>((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(port, "127.0.0.1", () => {
          listening.off("error", reject);
          resolve();
        });
      });
    // Reopened on its port, which the system may have given to another socket meanwhile (an
    // outgoing connection of another process on a busy machine): try again until it is free.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await listenOnce();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0 || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };

  const recorder: WebhookRecorder = {
    get url() {
      return `http://127.0.0.1:${port}/webhooks`;
    },
    deliveries,
    get refusedRequests() {
      return refusedRequests;
    },
    get badSignatures() {
      return badSignatures;
    },
    get heldRequests() {
      return heldRequests;
    },
    mode: "accept",
    retryAfter: "1",
    async close() {
      const closing = server;
      server = undefined;
      if (closing === undefined) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async reopen() {
      if (server === undefined) await listen();
    },
  };
  await listen();
  return recorder;
}
