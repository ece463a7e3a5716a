import { Agent, request as httpRequest } from "node:http";
import type { ProviderRequest } from "@friendhook/core";
import { apiHeaders } from "./credentials";

export type HttpOutcome =
  | { readonly kind: "answered"; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  /** No answer: the connection was refused, reset or timed out (the process was killed, say). */
  | { readonly kind: "failed"; readonly reason: string };

export interface RawRequest {
  readonly method?: string;
  /** Path and query string. */
  readonly path: string;
  /** A header given several values is sent as one line per value. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: Uint8Array | string;
  /** Streams the body in pieces without a Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
}

export interface SendOptions {
  /** Keep-alive connections shared by one sender; a fresh connection per request when absent. */
  readonly agent?: Agent;
  /** A request with no answer after this long counts as failed. */
  readonly timeoutMs?: number;
}

/** A connection closed under a request: by the server after an early answer, or a keep-alive race. */
const closedConnection = /^(ECONNRESET|EPIPE)$/;

/**
 * Sends one request and never throws: a missing answer is an outcome like any other. A request that
 * finds its kept-alive connection already closed by the server (it closes idle ones after its
 * keep-alive timeout, which a busy client can miss) never reached it, and is sent once more on a
 * connection of its own, as HTTP clients do.
 */
export async function sendRaw(baseUrl: string, raw: RawRequest, options: SendOptions = {}): Promise<HttpOutcome> {
  const attempt = await sendOnce(baseUrl, raw, options);
  if (attempt.outcome.kind === "failed" && attempt.reusedConnection && closedConnection.test(attempt.outcome.reason)) {
    const { agent: _closed, ...onItsOwnConnection } = options;
    return (await sendOnce(baseUrl, raw, onItsOwnConnection)).outcome;
  }
  return attempt.outcome;
}

/** Whether an outcome is a connection closed under the request rather than an answer. */
export function isClosedConnection(outcome: HttpOutcome): boolean {
  return outcome.kind === "failed" && closedConnection.test(outcome.reason);
}

function sendOnce(baseUrl: string, raw: RawRequest, options: SendOptions): Promise<{ outcome: HttpOutcome; reusedConnection: boolean }> {
  const url = new URL(raw.path, baseUrl);
  const body = typeof raw.body === "string" ? Buffer.from(raw.body, "utf8") : raw.body === undefined ? undefined : Buffer.from(raw.body);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      resolve({ outcome, reusedConnection: outgoing.reusedSocket });
    };
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: raw.method ?? "POST",
        headers: { ...(body === undefined || raw.chunked ? {} : { "content-length": String(body.byteLength) }), ...raw.headers },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          settle({ kind: "answered", status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        response.on("error", (error) => settle({ kind: "failed", reason: error.message }));
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("no answer in time")));
    outgoing.on("error", (error: NodeJS.ErrnoException) => settle({ kind: "failed", reason: error.code ?? error.message }));
    if (raw.chunked && body !== undefined) {
      const pieceBytes = 64 * 1024;
      for (let offset = 0; offset < body.byteLength; offset += pieceBytes) outgoing.write(body.subarray(offset, offset + pieceBytes));
      outgoing.end();
    } else {
      outgoing.end(body);
    }
  });
}

/**
 * The app's webhook path for a provider request built by an adapter's test builder: the builder's
 * own path when it names a webhook (OpenIM's `/webhooks/openim/<command>`), else `/webhooks/<route>`.
 */
export function webhookPathOf(route: string, request: ProviderRequest): string {
  const query = request.query.toString();
  const path = request.path.startsWith(`/webhooks/${route}`) ? request.path : `/webhooks/${route}`;
  return `${path}${query === "" ? "" : `?${query}`}`;
}

/** Posts a callback built by `buildEasemobCallback`, `buildTencentCallback` or `openImCallbackRequest` to the running app. */
export function sendCallback(baseUrl: string, route: string, request: ProviderRequest, options: SendOptions = {}): Promise<HttpOutcome> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  return sendRaw(baseUrl, { method: request.method, path: webhookPathOf(route, request), headers, body: request.body }, options);
}

/** GET and parse a JSON answer of the read API, with its token; throws on anything but 200. */
export async function getJson<Body>(baseUrl: string, path: string): Promise<Body> {
  const outcome = await sendRaw(baseUrl, { method: "GET", path, headers: apiHeaders() });
  if (outcome.kind === "failed") throw new Error(`GET ${path} failed: ${outcome.reason}`);
  if (outcome.status !== 200) throw new Error(`GET ${path} answered ${outcome.status}: ${outcome.body.slice(0, 300)}`);
  return JSON.parse(outcome.body) as Body;
}
