import { Agent } from "node:http";
import { errorCodeOf } from "./answer-codes";
import { mutateCallback } from "./callback-mutations";
import { type CallbackShape, type ProviderRoute, rawRequestOf } from "./callback-shape";
import { type BoundSignatures, type ExpectedAnswer, appAdapters, expectedAnswer } from "./callback-verdict";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";
import { isClosedConnection, sendRaw } from "./http-client";
import { createSeededRandom } from "./seeded-random";
import { genuineCallback } from "./signed-callbacks";

export interface MutationCampaignOptions {
  readonly baseUrl: string;
  /** Every mutation follows from it: `FRIENDHOOK_SEED` replays a run. */
  readonly seed: number;
  readonly genuinePerRoute: number;
  readonly mutationsPerGenuine: number;
  /** Senders at once, each on its own keep-alive connection. */
  readonly concurrency: number;
  /** The app's `FRIENDHOOK_BODY_LIMIT`. */
  readonly bodyLimitBytes: number;
  /** Tencent's and OpenIM's default cap of events per callback. */
  readonly maximumEventsPerCallback: number;
  readonly credentials?: ReliabilityCredentials;
}

export interface RouteTally {
  genuine: number;
  mutations: number;
  refused: number;
  acknowledged: number;
  /** Acknowledged mutations whose events were all stored already (a copy, by the rules). */
  acknowledgedAsCopies: number;
  /** Acknowledged mutations of another callback family, kept as unrecognized by design. */
  acknowledgedAsUnrecognized: number;
  /** Acknowledged mutations the rules accept as a callback of their own: a new body within a signature that does not cover it. */
  acknowledgedWithNewEvents: number;
  /** Refused mutations by the error code the app answered. */
  refusedByCode: Record<string, number>;
}

/** A request whose answer was not the one the rules give. */
export interface CampaignMismatch {
  readonly route: ProviderRoute;
  readonly genuineIndex: number;
  readonly name: string;
  readonly expected: { readonly status: number; readonly code?: string | undefined };
  readonly answered: { readonly status: number | string; readonly code?: string | undefined };
}

export interface MutationCampaignResult {
  readonly byRoute: Record<ProviderRoute, RouteTally>;
  readonly mismatches: CampaignMismatch[];
  readonly serverErrors: number;
  readonly unanswered: number;
  /** The events of the genuine callbacks. */
  readonly genuineEventIds: ReadonlySet<string>;
  /** Every event the rules say the app stores: the genuine callbacks' and the acknowledged mutations'. */
  readonly expectedEventIds: ReadonlySet<string>;
  /** The callbacks the rules say the app keeps as unrecognized. */
  readonly expectedUnrecognizedIds: ReadonlySet<string>;
}

const routes: readonly ProviderRoute[] = ["easemob", "tencent", "openim"];
const emptyTally = (): RouteTally => ({
  genuine: 0,
  mutations: 0,
  refused: 0,
  acknowledged: 0,
  acknowledgedAsCopies: 0,
  acknowledgedAsUnrecognized: 0,
  acknowledgedWithNewEvents: 0,
  refusedByCode: {},
});

/** One generator per genuine callback, so that a callback's mutations do not depend on which sender took it. */
function seedOf(seed: number, route: ProviderRoute, index: number): number {
  return (seed ^ Math.imul(routes.indexOf(route) + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

/** Refusals the app can give from a request's head, before reading its body. */
const refusalsBeforeTheBody = new Set([
  "body_too_large",
  "unsupported_media_type",
  "method_not_allowed",
  "missing_signature",
  "invalid_signature",
  "stale_request",
  "app_mismatch",
  "command_mismatch",
]);

/**
 * Sends genuine signed callbacks of every provider, each followed by its mutations, and compares
 * every answer with the one the rules give (`expectedAnswer`). A genuine callback goes first, so
 * that its signature is bound before any mutation can claim it; its mutations follow one at a time
 * on one sender (a signature's first body decides), while `concurrency` senders work on different
 * callbacks at once. Never throws for what the app answers: the result says it all.
 */
export async function runMutationCampaign(options: MutationCampaignOptions): Promise<MutationCampaignResult> {
  const credentials = options.credentials ?? reliabilityCredentials;
  const adapters = appAdapters(credentials);
  const bound: BoundSignatures = new Map();
  const byRoute = { easemob: emptyTally(), tencent: emptyTally(), openim: emptyTally() };
  const mismatches: CampaignMismatch[] = [];
  const genuineEventIds = new Set<string>();
  const expectedEventIds = new Set<string>();
  const expectedUnrecognizedIds = new Set<string>();
  let serverErrors = 0;
  let unanswered = 0;
  const runTag = String(options.seed).padStart(10, "0");
  // Easemob's signature covers callId and timestamp: one timestamp per genuine callback keeps every signature of the run its own.
  let lastEasemobTimestamp = 0;

  const work = Array.from({ length: options.genuinePerRoute }, (_, index) => routes.map((route) => ({ route, index }))).flat();
  let next = 0;

  async function send(agent: Agent, route: ProviderRoute, index: number, name: string, shape: CallbackShape, genuine: boolean): Promise<void> {
    const expected: ExpectedAnswer = await expectedAnswer(adapters[route], shape, bound, options.bodyLimitBytes);
    const alreadyExpected = expected.eventIds.every((id) => expectedEventIds.has(id));
    const outcome = await sendRaw(options.baseUrl, rawRequestOf(shape), { agent, timeoutMs: 60_000 });
    const tally = byRoute[route];
    if (genuine) tally.genuine += 1;
    else tally.mutations += 1;
    // A refusal that the URL, the headers or the length decide comes before the body is read, and the
    // connection is closed while the body may still be on its way: the client then sees the close.
    const closedInsteadOfRefusal =
      !genuine && expected.code !== undefined && refusalsBeforeTheBody.has(expected.code) && isClosedConnection(outcome);
    if (closedInsteadOfRefusal) {
      tally.refused += 1;
      tally.refusedByCode.closed = (tally.refusedByCode.closed ?? 0) + 1;
    } else if (outcome.kind === "failed") unanswered += 1;
    else if (outcome.status >= 500) serverErrors += 1;
    else if (outcome.status >= 400 && !genuine) {
      tally.refused += 1;
      const code = errorCodeOf(outcome) ?? String(outcome.status);
      tally.refusedByCode[code] = (tally.refusedByCode[code] ?? 0) + 1;
    }
    else if (outcome.status < 400 && !genuine) {
      tally.acknowledged += 1;
      if (expected.unrecognizedCallbackId !== undefined) tally.acknowledgedAsUnrecognized += 1;
      else if (alreadyExpected) tally.acknowledgedAsCopies += 1;
      else tally.acknowledgedWithNewEvents += 1;
    }
    for (const id of expected.eventIds) {
      expectedEventIds.add(id);
      if (genuine) genuineEventIds.add(id);
    }
    if (expected.unrecognizedCallbackId !== undefined) expectedUnrecognizedIds.add(expected.unrecognizedCallbackId);
    const answered = outcome.kind === "failed" ? { status: outcome.reason } : { status: outcome.status, code: errorCodeOf(outcome) };
    const codeMatches = expected.code === undefined || answered.code === expected.code;
    if (closedInsteadOfRefusal) return;
    if (answered.status !== expected.status || !codeMatches || (genuine && expected.status !== 200)) {
      mismatches.push({ route, genuineIndex: index, name, expected: { status: expected.status, code: expected.code }, answered });
    }
  }

  async function sender(): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let item = work[next++]; item !== undefined; item = work[next++]) {
        const { route, index } = item;
        const random = createSeededRandom(seedOf(options.seed, route, index));
        lastEasemobTimestamp = Math.max(Date.now(), lastEasemobTimestamp + 1);
        const genuine = genuineCallback({ route, index, runTag, random, easemobTimestamp: lastEasemobTimestamp, credentials });
        await send(agent, route, index, "genuine", genuine, true);
        const uniqueMark = `${runTag}${String(index).padStart(8, "0")}`;
        for (let count = 0; count < options.mutationsPerGenuine; count += 1) {
          const mutation = mutateCallback(genuine, { random, uniqueMark, credentials, maximumEventsPerCallback: options.maximumEventsPerCallback });
          await send(agent, route, index, mutation.name, mutation.shape, false);
        }
      }
    } finally {
      agent.destroy();
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, () => sender()));
  return { byRoute, mismatches, serverErrors, unanswered, genuineEventIds, expectedEventIds, expectedUnrecognizedIds };
}
