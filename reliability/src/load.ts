import { Agent } from "node:http";
import type { PlannedCallback } from "./callback-plans";
import { sendCallback } from "./http-client";
import { sleep } from "./wait-for";

/** What became of one planned callback after every attempt. */
export interface CallbackRecord {
  readonly plan: PlannedCallback;
  /** Requests sent for it. */
  attempts: number;
  /** Every status answered, in order. */
  readonly statuses: number[];
  /** Attempts that got no answer at all. */
  unanswered: number;
  /** Answered 2xx: the app promised the events are durable. */
  acknowledged: boolean;
  /** Answered 4xx: the app refused it for good. */
  refused: boolean;
}

export interface LoadOptions {
  /** Senders working at once, each on its own keep-alive connection. */
  readonly concurrency: number;
  /** The address of the live app process, or undefined while there is none. */
  readonly target: () => string | undefined;
  /** A provider retries a callback that got no answer or a 5xx, up to this many attempts in all. */
  readonly maximumAttempts?: number;
  /** The pause before a retry. */
  readonly retryDelayMs?: number;
  /** Called after every answered or failed attempt. */
  readonly afterAttempt?: (record: CallbackRecord) => void;
}

/**
 * Sends every planned callback as a provider would: concurrently, and again after a missing answer
 * or a 5xx, until it is acknowledged (2xx) or refused (4xx) or the attempts run out.
 */
export async function sendLikeAProvider(plans: readonly PlannedCallback[], options: LoadOptions): Promise<CallbackRecord[]> {
  const records: CallbackRecord[] = plans.map((plan) => ({
    plan,
    attempts: 0,
    statuses: [],
    unanswered: 0,
    acknowledged: false,
    refused: false,
  }));
  const maximumAttempts = options.maximumAttempts ?? 200;
  const retryDelayMs = options.retryDelayMs ?? 50;
  let nextIndex = 0;

  async function sender(): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let index = nextIndex++; index < records.length; index = nextIndex++) {
        const record = records[index] as CallbackRecord;
        while (!record.acknowledged && !record.refused && record.attempts < maximumAttempts) {
          const url = options.target();
          if (url === undefined) {
            await sleep(retryDelayMs);
            continue;
          }
          record.attempts += 1;
          const outcome = await sendCallback(url, record.plan.route, record.plan.build(), { agent, timeoutMs: 20_000 });
          if (outcome.kind === "failed") record.unanswered += 1;
          else {
            record.statuses.push(outcome.status);
            if (outcome.status >= 200 && outcome.status < 300) record.acknowledged = true;
            else if (outcome.status >= 400 && outcome.status < 500) record.refused = true;
          }
          options.afterAttempt?.(record);
          if (!record.acknowledged && !record.refused) await sleep(retryDelayMs);
        }
      }
    } finally {
      agent.destroy();
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, () => sender()));
  return records;
}

/** Totals over the records, for the figures. */
export function summarize(records: readonly CallbackRecord[]) {
  return {
    callbacksSent: records.reduce((sum, record) => sum + record.attempts, 0),
    acknowledged: records.filter((record) => record.acknowledged).length,
    refused: records.filter((record) => record.refused).length,
    unanswered: records.reduce((sum, record) => sum + record.unanswered, 0),
    serverErrorsSeen: records.reduce((sum, record) => sum + record.statuses.filter((status) => status >= 500).length, 0),
  };
}

export interface CallbackAttempt {
  readonly route: PlannedCallback["route"];
  readonly build: PlannedCallback["build"];
}

/** Sends each attempt once, `concurrency` at a time, and returns the statuses in the order given. */
export async function sendEach(baseUrl: string, attempts: readonly CallbackAttempt[], concurrency: number): Promise<Array<number | string>> {
  const statuses: Array<number | string> = new Array(attempts.length);
  let nextIndex = 0;
  const agents = Array.from({ length: concurrency }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    await Promise.all(
      agents.map(async (agent) => {
        for (let index = nextIndex++; index < attempts.length; index = nextIndex++) {
          const attempt = attempts[index] as CallbackAttempt;
          const outcome = await sendCallback(baseUrl, attempt.route, attempt.build(), { agent });
          statuses[index] = outcome.kind === "answered" ? outcome.status : outcome.reason;
        }
      }),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return statuses;
}
