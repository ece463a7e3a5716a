import { type Parsed, parsed, problem } from "./setting-parsers";
import { describeServiceUrl, readServiceUrl, schemeOf } from "./service-url";

/** What the app does with a pending request the endpoint did not decide (timeout, error, bad answer). */
export const decisionFallbacks = ["allow", "deny"] as const;
export type DecisionFallback = (typeof decisionFallbacks)[number];

/** FRIENDHOOK_DECISION_TIMEOUT when unset: well inside Tencent's 2 s wait for a "before" callback. */
export const defaultDecisionTimeoutMs = 1500;

/**
 * What the adapters' own decision deadline adds to the endpoint's timeout: the time to ask the
 * friend table and to answer. Past that deadline an adapter allows whatever the app would say.
 */
export const decisionAnswerMarginMs = 300;

/** Tencent waits 2 s for the answer to a "before" callback; the adapter's deadline must end before. */
const providerWaitMs = 2000;
const shortestDecisionTimeoutMs = 100;
const longestDecisionTimeoutMs = providerWaitMs - decisionAnswerMarginMs - 1;

export interface DecisionEndpointConfiguration {
  /** Where the pending requests of each callback are POSTed. */
  readonly url: string;
  /** The Standard Webhooks secrets (`whsec_…`) the requests are signed with, several while rotating. */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  /** Applied when the endpoint does not answer in time, fails, or answers something else than decisions. */
  readonly onTimeout: DecisionFallback;
}

export interface DecisionConfiguration {
  /** Whether a request to a user who blocks the requester is refused (FRIENDHOOK_DECISION_BLOCK_RULE). */
  readonly blockRule: boolean;
  /** The operator's decision endpoint (FRIENDHOOK_DECISION_URL); absent when none is set. */
  readonly endpoint?: DecisionEndpointConfiguration;
  /** The adapters' decision deadline: the endpoint's timeout and a margin to answer within. */
  readonly deadlineMs: number;
}

/** Whole milliseconds, `1500` or `1500ms`, short enough that the answer still reaches Tencent in time. */
export function parseDecisionTimeout(text: string): Parsed<number> {
  const match = /^(\d{1,5})(ms)?$/.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!(value >= shortestDecisionTimeoutMs && value <= longestDecisionTimeoutMs)) {
    return problem(
      `must be a whole number of milliseconds from ${shortestDecisionTimeoutMs} to ${longestDecisionTimeoutMs} (got "${text.slice(0, 20)}"): with ${decisionAnswerMarginMs} ms to answer, the provider's ${providerWaitMs} ms wait must not run out`,
    );
  }
  return parsed(value);
}

/** An `http://` or `https://` URL with a host; messages never quote it (its query may hold a credential). */
export function parseDecisionUrl(text: string): Parsed<string> {
  const scheme = schemeOf(text);
  if (scheme !== "http" && scheme !== "https") return problem("must be an http:// or https:// URL");
  const read = readServiceUrl(text, []);
  return read.ok ? parsed(read.value.url.href) : read;
}

export interface DecisionVariables {
  readonly FRIENDHOOK_DECISION_BLOCK_RULE: "on" | "off";
  readonly FRIENDHOOK_DECISION_URL?: string | undefined;
  readonly FRIENDHOOK_DECISION_SECRET?: readonly string[] | undefined;
  readonly FRIENDHOOK_DECISION_TIMEOUT?: number | undefined;
  readonly FRIENDHOOK_DECISION_ON_TIMEOUT?: DecisionFallback | undefined;
}

/** What is wrong across the decision variables: a secret is required with the URL, and means nothing without it. */
export function decisionProblems(variables: DecisionVariables): string[] {
  if (variables.FRIENDHOOK_DECISION_URL !== undefined) {
    return variables.FRIENDHOOK_DECISION_SECRET === undefined
      ? ["FRIENDHOOK_DECISION_SECRET: is required with FRIENDHOOK_DECISION_URL: the Standard Webhooks secret (whsec_…) the decision endpoint verifies requests with"]
      : [];
  }
  const orphans = (["FRIENDHOOK_DECISION_SECRET", "FRIENDHOOK_DECISION_TIMEOUT", "FRIENDHOOK_DECISION_ON_TIMEOUT"] as const).filter(
    (name) => variables[name] !== undefined,
  );
  return orphans.map((name) => `${name}: is set, but FRIENDHOOK_DECISION_URL is not; set the URL of the decision endpoint, or remove ${name}`);
}

/** The decision settings; call once `decisionProblems` found none. */
export function decisionsOf(variables: DecisionVariables): DecisionConfiguration {
  const timeoutMs = variables.FRIENDHOOK_DECISION_TIMEOUT ?? defaultDecisionTimeoutMs;
  const url = variables.FRIENDHOOK_DECISION_URL;
  const secrets = variables.FRIENDHOOK_DECISION_SECRET;
  return {
    blockRule: variables.FRIENDHOOK_DECISION_BLOCK_RULE === "on",
    ...(url !== undefined &&
      secrets !== undefined && { endpoint: { url, secrets, timeoutMs, onTimeout: variables.FRIENDHOOK_DECISION_ON_TIMEOUT ?? "allow" } }),
    deadlineMs: timeoutMs + decisionAnswerMarginMs,
  };
}

/** The decisions of a configuration that names none: the block rule alone. */
export const defaultDecisions: DecisionConfiguration = decisionsOf({ FRIENDHOOK_DECISION_BLOCK_RULE: "on" });

/** What the start-up log shows: no secret, and the endpoint without its query. */
export function describeDecisions(decisions: DecisionConfiguration): Record<string, unknown> {
  const { endpoint } = decisions;
  return {
    blockRule: decisions.blockRule ? "on" : "off",
    endpoint: endpoint ? { url: describeServiceUrl(new URL(endpoint.url)), timeoutMs: endpoint.timeoutMs, onTimeout: endpoint.onTimeout } : "none",
  };
}
