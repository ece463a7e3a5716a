import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  createAppDeployment,
  killRunningAppProcesses,
  providerVariables,
  readAllEvents,
  readFriends,
  recordFigures,
  reliabilityCredentials as credentials,
  sendCallback,
} from "../src/index";

// Tencent signs the URL (its RequestTime), not the body, and a pair's TimeStamp is in the body.
// Whoever holds a signed URL for its minute can date a change in the year 9999: the friend table
// must not let such a time outrank the real changes that come after it.

const sdkAppId = credentials.tencentSdkAppIds[0];
const nowSeconds = () => Math.floor(Date.now() / 1000);
const futureDates: ReadonlyArray<readonly [string, () => number]> = [
  ["9999-12-31T23:59:59Z", () => Date.UTC(9999, 11, 31, 23, 59, 59) / 1000],
  ["the year 3000", () => Date.UTC(3000, 0, 1) / 1000],
  ["a day ahead", () => nowSeconds() + 86_400],
  ["an hour ahead", () => nowSeconds() + 3600],
  ["a minute ahead", () => nowSeconds() + 60],
];
const rounds = 2;

let deployment: AppDeployment;
let url: string;

beforeAll(async () => {
  deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
  ({ url } = await deployment.start());
});

afterAll(async () => {
  await deployment?.dispose();
  killRunningAppProcesses();
});

/** A correctly signed callback (a fresh RequestTime and Sign) with `body`. */
async function send(body: Record<string, unknown>): Promise<number | string> {
  const outcome = await sendCallback(url, "tencent", buildTencentCallback({ sdkAppId, token: credentials.tencentToken, body }));
  return outcome.kind === "answered" ? outcome.status : outcome.reason;
}

describe("Tencent times in the future, against the running app", () => {
  it("lets a later real unblock lift a block dated in the future, and a later real add undo a removal dated in the future", async () => {
    const statuses: Array<number | string> = [];
    const lockedBlocks: string[] = [];
    const lockedRemovals: string[] = [];
    let scenario = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const [label, dateOf] of futureDates) {
        scenario += 1;
        const alice = `rel-alice-${scenario}`;
        const bob = `rel-bob-${scenario}`;
        // A block dated in the future, then the real unblock, dated now.
        statuses.push(await send(tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: alice, toAccount: bob, timeStamp: dateOf() }] })));
        statuses.push(await send(tencentCallbackBodies.blackListDelete({ pairs: [{ fromAccount: alice, toAccount: bob, timeStamp: nowSeconds() }] })));
        if ((await readFriends(url, "tencent", sdkAppId, alice)).blocked.includes(bob)) lockedBlocks.push(label);

        // Friends; a removal dated in the future; then the real add again (Tencent's add carries no time).
        const carol = `rel-carol-${scenario}`;
        const both = [{ fromAccount: alice, toAccount: carol }, { fromAccount: carol, toAccount: alice }];
        statuses.push(await send(tencentCallbackBodies.friendAdd({ pairs: both, requestId: `add-1-${scenario}` })));
        statuses.push(await send(tencentCallbackBodies.friendDelete({ pairs: both.map((pair) => ({ ...pair, timeStamp: dateOf() })) })));
        statuses.push(await send(tencentCallbackBodies.friendAdd({ pairs: both, requestId: `add-2-${scenario}` })));
        if (!(await readFriends(url, "tencent", sdkAppId, alice)).friends.includes(carol)) lockedRemovals.push(label);
      }
    }
    const futureDated = (await readAllEvents(url)).filter((event) => Date.parse(event.occurredAt) > Date.now() + 30_000);

    recordFigures("tencent-future-time", "Tencent: an unsigned TimeStamp in the future, then the real change", {
      callbacksSent: statuses.length,
      acknowledged: statuses.filter((status) => status === 200).length,
      hostileInputsTried: scenario * 2,
      serverErrorsSeen: statuses.filter((status) => typeof status === "number" && status >= 500).length,
      notes: {
        futureDates: futureDates.length,
        rounds,
        eventsDatedInTheFutureStored: futureDated.length,
        blocksLocked: lockedBlocks.length,
        removalsLocked: lockedRemovals.length,
      },
    });

    // The future-dated callbacks are correctly signed: taken and kept, with the time they claim, which orders nothing.
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(futureDated.length).toBe(scenario * 3);
    expect(lockedBlocks).toEqual([]);
    expect(lockedRemovals).toEqual([]);
  });
});
