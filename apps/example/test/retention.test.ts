import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfiguration } from "../src/config/configuration";
import { ConfigurationError } from "../src/config/configuration-error";
import { effectiveRetention } from "../src/config/retention-settings";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { tencentSdkAppId, tencentToken } = testCredentials;
const tencentOnly = { TENCENT_SDKAPPID: tencentSdkAppId, TENCENT_TOKEN: tencentToken };
const day = 86_400_000;

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

function problemsOf(variables: Record<string, string>): readonly string[] {
  try {
    parseConfiguration({ ...tencentOnly, ...variables }, "/srv/friendhook");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("the configuration was accepted");
}

describe("FRIENDHOOK_RETENTION, FRIENDHOOK_DEAD_LETTER_RETENTION and FRIENDHOOK_DEDUPLICATION_WINDOW", () => {
  it("keep 30 days, dead letters as long as events, and a 10-minute window unless set", () => {
    const retentionOf = (variables: Record<string, string>) => effectiveRetention(parseConfiguration({ ...tencentOnly, ...variables }, "/").retention);
    expect(parseConfiguration(tencentOnly, "/").retention).toBeUndefined();
    expect(retentionOf({})).toEqual({ retentionMs: 30 * day, deadLetterRetentionMs: 30 * day, deduplicationWindowMs: 600_000 });
    expect(retentionOf({ FRIENDHOOK_RETENTION: "12h" })).toEqual({
      retentionMs: 12 * 3_600_000,
      deadLetterRetentionMs: 12 * 3_600_000,
      deduplicationWindowMs: 600_000,
    });
    expect(retentionOf({ FRIENDHOOK_RETENTION: "90s", FRIENDHOOK_DEAD_LETTER_RETENTION: "30d", FRIENDHOOK_DEDUPLICATION_WINDOW: "15m" })).toEqual({ retentionMs: 90_000, deadLetterRetentionMs: 30 * day, deduplicationWindowMs: 900_000 });
  });

  it.each(["30", "1.5h", "1h30m", "30 days", "0s", "-5m", "3651d", "12H"])("refuses %j with what it takes", (value) => {
    expect(problemsOf({ FRIENDHOOK_RETENTION: value })).toEqual([
      `FRIENDHOOK_RETENTION: must be a whole number and a unit, s, m, h or d (90s, 15m, 12h, 30d), from 1s to 3650d (got "${value}")`,
    ]);
  });
});

describe("retention in the running app", () => {
  it("delivers every event, then prunes it, and shows stored events, pruned events and the database size in /metrics", async () => {
    const app = await startApp({ ...tencentOnly, FRIENDHOOK_RETENTION: "1s", FRIENDHOOK_DEDUPLICATION_WINDOW: "1s" });
    running.push(app);
    const pairs = ["bob", "carol", "dave", "erin", "frank"];
    for (const [index, other] of pairs.entries()) {
      const command = "Sns.CallbackBlackListAdd";
      const callback = buildTencentCallback({
        sdkAppId: tencentSdkAppId,
        command,
        token: tencentToken,
        body: { CallbackCommand: command, PairList: [{ From_Account: "alice", To_Account: other }], RequestId: `retention-${index}` },
      });
      expect((await sendCallback(app.url, "tencent", callback)).status).toBe(200);
    }
    const metrics = await waitFor(async () => {
      const body = (await request(`${app.url}/metrics`)).body as string;
      return /friendhook_pruned_total\{kind="events"\} 5\n/.test(body) && /friendhook_stored_events 0\n/.test(body) ? body : undefined;
    }, "every event to be pruned");
    // Each was printed by the console sink before it went.
    expect(app.printedLines.filter((line) => line.includes("friend.blocked"))).toHaveLength(5);
    expect(metrics).toMatch(/friendhook_pruned_total\{kind="callbacks"\} 5\n/);
    expect(Number(/friendhook_store_bytes (\d+)\n/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect((await request(`${app.url}/api/events`)).body.events).toEqual([]);
    // The friend table is the state: it stays.
    expect((await request(`${app.url}/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice`)).body).toMatchObject({ blocked: pairs });
  });

  it("prunes the recorded decisions about friend requests as it prunes callbacks", async () => {
    const app = await startApp({ ...tencentOnly, FRIENDHOOK_RETENTION: "1s", FRIENDHOOK_DEDUPLICATION_WINDOW: "1s" });
    running.push(app);
    const callback = buildTencentCallback({
      sdkAppId: tencentSdkAppId,
      token: tencentToken,
      body: tencentCallbackBodies.prevFriendAdd({ fromAccount: "alice", friendItems: [{ toAccount: "bob" }, { toAccount: "carol" }] }),
    });
    expect((await sendCallback(app.url, "tencent", callback)).status).toBe(200);
    // Counted as pruned only once recorded: both were stored, then removed.
    await waitFor(async () => {
      const body = (await request(`${app.url}/metrics`)).body as string;
      return /friendhook_pruned_total\{kind="decisions"\} 2\n/.test(body) ? body : undefined;
    }, "both decisions to be pruned");
    expect((await request(`${app.url}/api/decisions`)).body.decisions).toEqual([]);
  });
});
