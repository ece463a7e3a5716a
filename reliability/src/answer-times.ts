import { Agent } from "node:http";
import type { PlannedCallback } from "./callback-plans";
import { sendCallback, sendRaw } from "./http-client";
import { sleep } from "./wait-for";

/** What one request got, and how long after it was sent. */
export interface TimedAnswer {
  /** The status, or undefined when no answer came (refused, reset, or none within the timeout). */
  readonly status: number | undefined;
  readonly failure?: string;
  /** When it was sent, on the test process's `performance.now()` clock. */
  readonly sentAt: number;
  readonly answerMs: number;
}

export interface TimedCallback extends TimedAnswer {
  readonly plan: PlannedCallback;
}

export interface SendOnceOptions {
  /** Senders working at once, each on its own keep-alive connection. */
  readonly concurrency: number;
  /** A callback with no answer after this long counts as unanswered. */
  readonly timeoutMs: number;
}

/**
 * Sends each callback once, `concurrency` at a time, and times each answer. A provider that waits
 * 2 s (Tencent) does not retry, so neither does this. After the first callback that got no answer
 * (the app died or froze), no further one is sent: the result then holds fewer entries than `plans`.
 */
export async function sendOnceTimed(baseUrl: string, plans: readonly PlannedCallback[], options: SendOnceOptions): Promise<TimedCallback[]> {
  const results: TimedCallback[] = [];
  let nextIndex = 0;
  let unanswered = false;
  const agents = Array.from({ length: options.concurrency }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    await Promise.all(
      agents.map(async (agent) => {
        for (let index = nextIndex++; index < plans.length && !unanswered; index = nextIndex++) {
          const plan = plans[index] as PlannedCallback;
          const sentAt = performance.now();
          const outcome = await sendCallback(baseUrl, plan.route, plan.build(), { agent, timeoutMs: options.timeoutMs });
          const answerMs = performance.now() - sentAt;
          if (outcome.kind === "failed") {
            unanswered = true;
            results.push({ plan, status: undefined, failure: outcome.reason, sentAt, answerMs });
          } else {
            results.push({ plan, status: outcome.status, sentAt, answerMs });
          }
        }
      }),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return results;
}

export interface ProbeHealthOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Called with each answer as it comes, for a test that reads them while probing goes on. */
  readonly onAnswer?: (answer: TimedAnswer) => void;
}

/**
 * Asks `GET /healthz` every `intervalMs` until `stop()` says so, each time on a new connection, as
 * an orchestrator's probe does, and times each answer.
 */
export async function probeHealth(baseUrl: string, stop: () => boolean, options: ProbeHealthOptions): Promise<TimedAnswer[]> {
  const answers: TimedAnswer[] = [];
  while (!stop()) {
    const sentAt = performance.now();
    const outcome = await sendRaw(baseUrl, { method: "GET", path: "/healthz" }, { timeoutMs: options.timeoutMs });
    const answerMs = performance.now() - sentAt;
    const answer: TimedAnswer =
      outcome.kind === "failed" ? { status: undefined, failure: outcome.reason, sentAt, answerMs } : { status: outcome.status, sentAt, answerMs };
    answers.push(answer);
    options.onAnswer?.(answer);
    await sleep(options.intervalMs);
  }
  return answers;
}

/** The longest answer time, rounded to the millisecond (0 for none). */
export function longestAnswerMs(answers: readonly TimedAnswer[]): number {
  return Math.round(answers.reduce((longest, answer) => Math.max(longest, answer.answerMs), 0));
}

/** The answers whose time overlaps `[from, to]` (on the `performance.now()` clock). */
export function answersDuring(answers: readonly TimedAnswer[], from: number, to: number): TimedAnswer[] {
  return answers.filter((answer) => answer.sentAt <= to && answer.sentAt + answer.answerMs >= from);
}
