import type { ProviderRequest } from "@friendhook/core";
import { buildEasemobCallback } from "@friendhook/easemob";
import { openImCallbackBodies, openImCallbackRequest } from "@friendhook/openim";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { describeWithService } from "@friendhook/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  createAppDeployment,
  errorCodeOf,
  expectedEventsOf,
  killRunningAppProcesses,
  openImVariables,
  providerVariables,
  readAllEvents,
  readAllUnrecognized,
  readFriends,
  recordFigures,
  reliabilityCredentials as credentials,
  sendCallback,
} from "../src/index";

afterAll(killRunningAppProcesses);

// User ids no provider sends (a NUL, a control character, thousands of characters) must be refused
// with a 4xx before the store: PostgreSQL cannot keep a NUL, and an append that fails answers 503,
// which the provider retries for ever. And one Easemob app key spelled in several ways is one app.

const appKey = credentials.easemobAppKeys[0];
const badUserIds: ReadonlyArray<readonly [string, string]> = [
  ["a NUL", "rel-mal\u0000lory"],
  ["257 characters", "m".repeat(257)],
  ["10,000 characters", "m".repeat(10_000)],
  ["a control character", "rel-mal\u0001lory"],
  ["a C1 control character", "rel-mal\u0085lory"],
];
/** Each refused callback is sent again, as a provider retries: the answer stays a 4xx. */
const attempts = 2;

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence += 1)}`;

type Sender = readonly ["easemob" | "tencent" | "openim", (actor: string, target: string) => ProviderRequest];

const senders: readonly Sender[] = [
  ["easemob", (actor, target) => buildEasemobCallback({ secret: credentials.easemobSecrets[0], operation: "remove", from: actor, to: target, appKey })],
  [
    "tencent",
    (actor, target) =>
      buildTencentCallback({
        sdkAppId: credentials.tencentSdkAppIds[0],
        token: credentials.tencentToken,
        body: tencentCallbackBodies.friendDelete({ pairs: [{ fromAccount: actor, toAccount: target }], requestId: `ids-${unique()}` }),
      }),
  ],
  [
    "openim",
    (actor, target) =>
      openImCallbackRequest({ body: openImCallbackBodies.afterDeleteFriend({ ownerUserID: actor, friendUserID: target }), token: credentials.openImToken }),
  ],
  [
    "openim",
    (actor, target) =>
      openImCallbackRequest({
        body: openImCallbackBodies.afterImportFriends({ ownerUserID: actor, friendUserIDs: ["rel-friend-1", target, "rel-friend-2"] }),
        token: credentials.openImToken,
      }),
  ],
];

interface UserIdAttack {
  readonly answers: Array<{ name: string; status: number | string; code: string | undefined }>;
  readonly storedBefore: number;
  readonly storedAfter: number;
  readonly unrecognizedBefore: number;
  readonly unrecognizedAfter: number;
  readonly controlStatuses: Array<number | string>;
}

/** Every bad user id, as the actor and as the target, on every provider; then ids at the limit, which are taken. */
async function attackUserIds(url: string): Promise<UserIdAttack> {
  const storedBefore = (await readAllEvents(url)).length;
  const unrecognizedBefore = (await readAllUnrecognized(url)).length;
  const answers: UserIdAttack["answers"] = [];
  for (const [route, build] of senders) {
    for (const [label, badId] of badUserIds) {
      for (const [position, request] of [
        ["actor", build(badId, `rel-victim-${unique()}`)],
        ["target", build(`rel-victim-${unique()}`, badId)],
      ] as const) {
        for (let attempt = 0; attempt < attempts; attempt += 1) {
          const outcome = await sendCallback(url, route, request);
          answers.push({
            name: `${route === "openim" ? request.path.split("/").at(-1) : route}: the ${position} with ${label}`,
            status: outcome.kind === "answered" ? outcome.status : outcome.reason,
            code: errorCodeOf(outcome),
          });
        }
      }
    }
  }
  const storedAfter = (await readAllEvents(url)).length;
  const unrecognizedAfter = (await readAllUnrecognized(url)).length;
  const controlStatuses: Array<number | string> = [];
  for (const [route, build] of senders) {
    const outcome = await sendCallback(url, route, build("m".repeat(256), `rel-李-😀-${unique()}`));
    controlStatuses.push(outcome.kind === "answered" ? outcome.status : outcome.reason);
  }
  return { answers, storedBefore, storedAfter, unrecognizedBefore, unrecognizedAfter, controlStatuses };
}

function recordUserIdFigures(key: string, title: string, attack: UserIdAttack): void {
  recordFigures(key, title, {
    hostileInputsTried: attack.answers.length,
    refused: attack.answers.filter((answer) => typeof answer.status === "number" && answer.status >= 400 && answer.status < 500).length,
    eventsStored: attack.storedAfter - attack.storedBefore,
    serverErrorsSeen: attack.answers.filter((answer) => typeof answer.status === "number" && answer.status >= 500).length,
    notes: {
      badUserIds: badUserIds.length,
      callbackKinds: senders.length,
      attemptsEach: attempts,
      unrecognizedKept: attack.unrecognizedAfter - attack.unrecognizedBefore,
      idsAtTheLimitAcknowledged: attack.controlStatuses.filter((status) => status === 200).length,
    },
  });
}

function expectRefusedAndNothingStored(attack: UserIdAttack): void {
  expect(attack.answers).toEqual(attack.answers.map(({ name }) => ({ name, status: 400, code: "invalid_payload" })));
  expect(attack.storedAfter).toBe(attack.storedBefore);
  expect(attack.unrecognizedAfter).toBe(attack.unrecognizedBefore);
  // Ids of 256 characters, and of any script, are user ids: the refusals were about the rule alone.
  expect(attack.controlStatuses).toEqual(senders.map(() => 200));
}

describe("user ids no provider sends, against the running app (SQLite)", () => {
  let deployment: AppDeployment;
  let url: string;
  beforeAll(async () => {
    deployment = createAppDeployment({ ...providerVariables(), ...openImVariables(), FRIENDHOOK_SINKS: "console" });
    ({ url } = await deployment.start());
  });
  afterAll(async () => {
    await deployment?.dispose();
  });

  it("refuses a NUL, a control character or more than 256 characters in any user id with 400, however often it is sent, and stores nothing of it", async () => {
    const attack = await attackUserIds(url);
    recordUserIdFigures("user-ids-sqlite", "User ids with a NUL, a control character or over 256 characters (SQLite)", attack);
    expectRefusedAndNothingStored(attack);
  });

  it("keeps one Easemob app key however Easemob spells it: the same callback under three spellings is stored once, under the configured spelling", async () => {
    const spellings = [appKey, appKey.toUpperCase(), "Reliability#Proof"];
    const callbacks = 10;
    const statuses: Array<number | string> = [];
    const expectedIds = new Set<string>();
    const storedBefore = (await readAllEvents(url)).length;
    for (let index = 0; index < callbacks; index += 1) {
      const messageId = `99${Date.now()}${String(index).padStart(4, "0")}`;
      for (const spelling of spellings) {
        const request = buildEasemobCallback({
          secret: credentials.easemobSecrets[0],
          operation: "accept",
          from: `rel-erin-${index}`,
          to: `rel-frank-${index}`,
          appKey: spelling,
          messageId,
        });
        for (const id of (await expectedEventsOf("easemob", buildEasemobCallback({ secret: "x", operation: "accept", from: `rel-erin-${index}`, to: `rel-frank-${index}`, appKey, messageId }))).eventIds) {
          expectedIds.add(id);
        }
        const outcome = await sendCallback(url, "easemob", request);
        statuses.push(outcome.kind === "answered" ? outcome.status : outcome.reason);
      }
    }
    const stored = (await readAllEvents(url)).slice(storedBefore);
    const friends = await readFriends(url, "easemob", appKey, "rel-frank-0");
    recordFigures("easemob-app-key-spelling", "Easemob: one callback under three spellings of its app key", {
      callbacksSent: statuses.length,
      acknowledged: statuses.filter((status) => status === 200).length,
      eventsStored: stored.length,
      serverErrorsSeen: statuses.filter((status) => typeof status === "number" && status >= 500).length,
      notes: {
        callbacks,
        spellings: spellings.length,
        eventsStoredTwice: stored.length - expectedIds.size,
        appIdsStored: [...new Set(stored.map((event) => event.appId))].join(", "),
      },
    });

    expect(statuses).toEqual(statuses.map(() => 200));
    expect(new Set(stored.map((event) => event.id))).toEqual(expectedIds);
    expect(stored.length).toBe(expectedIds.size);
    expect(new Set(stored.map((event) => event.appId))).toEqual(new Set([appKey]));
    expect(friends.friends).toEqual(["rel-erin-0"]);
  });
});

/** The test database, and a schema of friendhook's tables for this run alone (dropped after it). */
const postgresDatabase = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const postgresLocation = new URL(postgresDatabase);
const postgresSchema = `friendhook_reliability_ids_${process.pid}_${Date.now().toString(36)}`;
postgresLocation.searchParams.set("schema", postgresSchema);

describeWithService(
  "user ids no provider sends, against the running app (PostgreSQL)",
  Number(postgresLocation.port || 5432),
  () => {
    let deployment: AppDeployment;
    let url: string;
    beforeAll(async () => {
      deployment = createAppDeployment({ ...providerVariables(), ...openImVariables(), FRIENDHOOK_SINKS: "console", FRIENDHOOK_STORE: postgresLocation.href });
      ({ url } = await deployment.start());
    });
    afterAll(async () => {
      await deployment?.dispose();
      const client = new pg.Client({ connectionString: postgresDatabase });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${postgresSchema}" CASCADE`);
      } finally {
        await client.end();
      }
    });

    it("refuses them with 400 before the store, never 503 (which a provider would retry for ever), and stores nothing of them", async () => {
      const attack = await attackUserIds(url);
      recordUserIdFigures("user-ids-postgres", "User ids with a NUL, a control character or over 256 characters (PostgreSQL)", attack);
      expectRefusedAndNothingStored(attack);
    });
  },
  { host: postgresLocation.hostname },
);
