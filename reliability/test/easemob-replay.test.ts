import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  createAppDeployment,
  errorCodeOf,
  expectedEventsOf,
  killRunningAppProcesses,
  providerVariables,
  readAllEvents,
  readFriends,
  recordFigures,
  reliabilityCredentials as credentials,
  sendCallback,
} from "../src/index";

// Easemob signs callId and timestamp only. An attacker who captured one callback keeps its callId,
// timestamp and security and writes any body under them: two strangers made friends, a friendship
// removed, a block. The receiver binds a signature to the first body it accepted with it
// (`signature_reused`) and refuses signatures older than its freshness window (`stale_request`).

const appKey = credentials.easemobAppKeys[0];
const secret = credentials.easemobSecrets[0];
/** The operations captured: an answer (which binds its message only), and actions that bind their pair too. */
const capturedOperations = ["accept", "remove", "ban", "add"] as const;
const capturesPerOperation = 3;
/** Each forged body is sent twice: a refusal must not turn into an acceptance on a retry. */
const attemptsPerForgery = 2;
const oldSignatureAgesSeconds = [301, 3600, 86_400, 365 * 86_400, -600];

let deployment: AppDeployment;
let url: string;
let sequence = 0;
const messageId = () => `88${String(Date.now()).slice(-8)}${String((sequence += 1)).padStart(8, "0")}`;

beforeAll(async () => {
  deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
  ({ url } = await deployment.start());
});

afterAll(async () => {
  await deployment?.dispose();
  killRunningAppProcesses();
});

/** The captured callback's body with other members, under its own callId, timestamp and security. */
function forgedFrom(captured: ProviderRequest, changes: Record<string, unknown>): ProviderRequest {
  const body = JSON.parse(new TextDecoder().decode(captured.body)) as Record<string, unknown>;
  return createProviderRequest({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, ...changes }) });
}

interface Answer {
  readonly name: string;
  readonly status: number | string;
  readonly code: string | undefined;
}

async function send(name: string, request: ProviderRequest): Promise<Answer> {
  const outcome = await sendCallback(url, "easemob", request);
  return { name, status: outcome.kind === "answered" ? outcome.status : outcome.reason, code: errorCodeOf(outcome) };
}

describe("Easemob replay forgery against the running app", () => {
  it("binds a captured signature to the action of its first body: another action is refused with signature_reused, a copy of the same action adds nothing, nothing forged is stored", async () => {
    const genuineAnswers: Answer[] = [];
    const forgedAnswers: Array<Answer & { readonly copyOfGenuine: boolean }> = [];
    const controlAnswers: Answer[] = [];
    const forgedIds = new Set<string>();
    const genuineIds = new Set<string>();
    let capture = 0;
    for (const operation of capturedOperations) {
      for (let round = 0; round < capturesPerOperation; round += 1, capture += 1) {
        const alice = `rel-alice-${capture}`;
        const bob = `rel-bob-${capture}`;
        const captured = buildEasemobCallback({ secret, operation, from: alice, to: bob, appKey, messageId: messageId() });
        genuineAnswers.push(await send(`genuine ${operation}`, captured));
        const capturedIds = (await expectedEventsOf("easemob", captured)).eventIds;
        for (const id of capturedIds) genuineIds.add(id);

        // Other bodies under the captured callId, timestamp and security.
        const forgeries: Record<string, Record<string, unknown>> = {
          "two strangers": { from: `rel-mallory-${capture}`, to: `rel-victim-${capture}` },
          "the friendship removed": { payload: { operation: "remove" } },
          "a block": { payload: { operation: "ban", status: { error_code: "ok" } } },
          "a friend request from a stranger": { from: `rel-mallory-${capture}`, payload: { operation: "add", reason: "hi" } },
          "another message id": { msg_id: messageId() },
          "two strangers made friends under another message id": {
            from: `rel-mallory-${capture}`,
            to: `rel-victim-${capture}`,
            payload: { operation: "accept" },
            msg_id: messageId(),
          },
        };
        for (const [name, changes] of Object.entries(forgeries)) {
          const forged = forgedFrom(captured, changes);
          const ids = (await expectedEventsOf("easemob", forged)).eventIds;
          const copyOfGenuine = ids.every((id) => capturedIds.includes(id));
          for (const id of ids) if (!copyOfGenuine) forgedIds.add(id);
          for (let attempt = 0; attempt < attemptsPerForgery; attempt += 1) {
            forgedAnswers.push({ ...(await send(`${operation} → ${name}`, forged)), copyOfGenuine });
          }
        }
        // What Easemob itself sends under one signature: its retry, and for an answer the other side's view.
        controlAnswers.push(await send(`${operation}: the same callback again (Easemob's retry)`, captured));
        if (operation === "accept") {
          controlAnswers.push(await send("accept: the remote_accept view", forgedFrom(captured, { to: alice, from: bob, payload: { operation: "remote_accept" } })));
        }
      }
    }

    const stored = await readAllEvents(url);
    const storedIds = new Set(stored.map((event) => event.id));
    const forgedStored = [...forgedIds].filter((id) => storedIds.has(id));
    const strangers = await Promise.all(Array.from({ length: capture }, (_, index) => readFriends(url, "easemob", appKey, `rel-mallory-${index}`)));
    const accepted = capturedOperations.indexOf("accept") * capturesPerOperation;
    const acceptedFriends = await Promise.all(
      Array.from({ length: capturesPerOperation }, (_, round) => readFriends(url, "easemob", appKey, `rel-alice-${accepted + round}`)),
    );
    const refusedAsReused = forgedAnswers.filter((answer) => answer.status === 401 && answer.code === "signature_reused");
    const acknowledgedCopies = forgedAnswers.filter((answer) => answer.status === 200 && answer.copyOfGenuine);

    recordFigures("easemob-replay", "Easemob replay: a captured signature with other bodies", {
      callbacksSent: genuineAnswers.length + forgedAnswers.length + controlAnswers.length,
      acknowledged: genuineAnswers.filter((answer) => answer.status === 200).length,
      refused: refusedAsReused.length,
      eventsStored: stored.length,
      forgedStored: forgedStored.length,
      hostileInputsTried: forgedAnswers.length,
      serverErrorsSeen: [...genuineAnswers, ...forgedAnswers, ...controlAnswers].filter((answer) => typeof answer.status === "number" && answer.status >= 500).length,
      notes: {
        capturedCallbacks: capture,
        forgedBodiesPerCapture: forgedAnswers.length / capture / attemptsPerForgery,
        answeredSignatureReused: refusedAsReused.length,
        copiesOfTheCapturedActionAcknowledged: acknowledgedCopies.length,
      },
    });

    expect(genuineAnswers.every((answer) => answer.status === 200)).toBe(true);
    // Every forged body is refused, unless it describes the captured action itself (an answer names
    // its message only): then it makes the captured callback's own event ids, which are stored once.
    const judged = forgedAnswers.map(({ name, status, code, copyOfGenuine }) => ({ name, status, code, copyOfGenuine }));
    expect(judged).toEqual(
      forgedAnswers.map(({ name, status, copyOfGenuine }) =>
        status === 200 && copyOfGenuine ? { name, status, code: undefined, copyOfGenuine } : { name, status: 401, code: "signature_reused", copyOfGenuine },
      ),
    );
    expect(refusedAsReused.length).toBeGreaterThan(forgedAnswers.length / 2);
    expect(controlAnswers.map(({ name, status }) => ({ name, status }))).toEqual(controlAnswers.map(({ name }) => ({ name, status: 200 })));
    expect(forgedStored).toEqual([]);
    expect(storedIds).toEqual(genuineIds);
    expect(strangers).toEqual(strangers.map(() => ({ friends: [], blocked: [] })));
    expect(acceptedFriends).toEqual(acceptedFriends.map((_, round) => ({ friends: [`rel-bob-${accepted + round}`], blocked: [] })));
  });

  it("refuses a correctly signed callback whose timestamp lies outside the freshness window (stale_request), however old, and stores nothing of it", async () => {
    const storedBefore = (await readAllEvents(url)).length;
    const answers: Answer[] = [];
    for (const ageSeconds of oldSignatureAgesSeconds) {
      for (let attempt = 0; attempt < attemptsPerForgery; attempt += 1) {
        const old = buildEasemobCallback({
          secret,
          operation: "accept",
          from: "rel-mallory-old",
          to: `rel-victim-old-${ageSeconds}`,
          appKey,
          messageId: messageId(),
          timestamp: Date.now() - ageSeconds * 1000,
        });
        answers.push(await send(ageSeconds < 0 ? `signed ${-ageSeconds} s ahead` : `signed ${ageSeconds} s ago`, old));
      }
    }
    const storedAfter = (await readAllEvents(url)).length;
    recordFigures("easemob-stale", "Easemob replay: a correctly signed callback from outside the freshness window", {
      hostileInputsTried: answers.length,
      refused: answers.filter((answer) => answer.status === 401).length,
      eventsStored: storedAfter - storedBefore,
      serverErrorsSeen: answers.filter((answer) => typeof answer.status === "number" && answer.status >= 500).length,
      notes: { oldestSignatureDays: 365, freshnessWindowSeconds: 300, answeredStaleRequest: answers.filter((answer) => answer.code === "stale_request").length },
    });

    expect(answers).toEqual(answers.map(({ name }) => ({ name, status: 401, code: "stale_request" })));
    expect(storedAfter).toBe(storedBefore);
    // A fresh one, signed the same way, is taken: the refusals were about age alone.
    const fresh = buildEasemobCallback({ secret, operation: "accept", from: "rel-carol", to: "rel-dave", appKey, messageId: messageId() });
    expect(await send("fresh", fresh)).toEqual({ name: "fresh", status: 200, code: undefined });
  });
});
