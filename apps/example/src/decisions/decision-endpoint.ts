import { randomUUID } from "node:crypto";
import { signStandardWebhook } from "@friendhook/http";
import type { DecisionEndpointConfiguration } from "../config/decision-settings";
import {
  type DecisionEndpointAnswer,
  DecisionEndpointAnswerSchema,
  type DecisionEndpointBody,
  type DecisionEndpointRequest,
  decisionRequestType,
} from "./decision-endpoint-protocol";

type EndpointDecision = DecisionEndpointAnswer["decisions"][number];

/** What asking the endpoint gave: its decisions by request id, or why there are none. */
export type EndpointOutcome =
  | { readonly answered: true; readonly decisions: ReadonlyMap<string, EndpointDecision> }
  | { readonly answered: false; readonly failure: "timeout" | "endpoint_error"; readonly reason: string };

const failed = (failure: "timeout" | "endpoint_error", reason: string): EndpointOutcome => ({ answered: false, failure, reason });

/** An answer longer than this is no list of decisions for one callback. */
const largestAnswerBytes = 256 * 1024;

/**
 * POSTs the pending requests of one callback to the operator's endpoint in one request, signed as a
 * Standard Webhook (the HTTP sinks' signing), and reads its decisions. Waits `remainingMs` at most
 * (what is left of the endpoint's timeout), for the answer and its body both; never throws.
 */
export async function askDecisionEndpoint(
  endpoint: DecisionEndpointConfiguration,
  requests: readonly DecisionEndpointRequest[],
  remainingMs: number,
): Promise<EndpointOutcome> {
  const body = JSON.stringify({ type: decisionRequestType, requests } satisfies DecisionEndpointBody);
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  let text: string;
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signStandardWebhook({ id, timestamp, body }, endpoint.secrets),
      },
      body,
      redirect: "error",
      signal: AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs))),
    });
    text = await response.text();
    if (!response.ok) return failed("endpoint_error", `the decision endpoint answered HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return failed("timeout", `the decision endpoint did not answer within ${endpoint.timeoutMs} ms`);
    }
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    return failed("endpoint_error", `the decision endpoint could not be reached${typeof cause === "string" ? ` (${cause})` : ""}`);
  }
  if (text.length > largestAnswerBytes) return failed("endpoint_error", "the decision endpoint's answer is too long");
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return failed("endpoint_error", "the decision endpoint's answer is not JSON");
  }
  const parsed = DecisionEndpointAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failed("endpoint_error", `the decision endpoint's answer is not a list of decisions (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`);
  }
  return { answered: true, decisions: new Map(parsed.data.decisions.map((decision) => [decision.id, decision])) };
}
