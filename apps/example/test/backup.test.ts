import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTencentCallback } from "@friendhook/tencent";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { runPackageScript } from "./support/child-process";
import { type RunningApp, request, startApp, testCredentials, waitFor } from "./support/running-app";

const { tencentSdkAppId, tencentToken } = testCredentials;
const tencentOnly = { TENCENT_SDKAPPID: tencentSdkAppId, TENCENT_TOKEN: tencentToken };
const scratch = mkdtempSync(join(tmpdir(), "friendhook-backup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

/** alice blocks `user` on Tencent: one event, one register of the friend table. */
function blockCallback(user: string) {
  const command = "Sns.CallbackBlackListAdd";
  return buildTencentCallback({
    sdkAppId: tencentSdkAppId,
    command,
    token: tencentToken,
    body: { CallbackCommand: command, PairList: [{ From_Account: "alice", To_Account: user }], RequestId: `backup-${user}` },
  });
}

describe("backup", () => {
  it("copies the SQLite store while callbacks arrive; an app started from the copy has every callback acknowledged before the backup began", { timeout: 120_000 }, async () => {
    const app = await startApp(tencentOnly);
    running.push(app);
    const acknowledged: string[] = [];
    let sending = true;
    const sender = (async () => {
      for (let next = 0; sending; next += 1) {
        const user = `user-${String(next).padStart(5, "0")}`;
        if ((await sendCallback(app.url, "tencent", blockCallback(user))).status === 200) acknowledged.push(user);
      }
    })();
    await waitFor(() => (acknowledged.length >= 50 ? true : undefined), "50 acknowledged callbacks");

    const before = [...acknowledged];
    const destinationDirectory = mkdtempSync(join(scratch, "restore-"));
    const destination = join(destinationDirectory, "friendhook.db");
    const backup = runPackageScript("backup", [destination, "--data-dir", app.configuration.dataDirectory]);
    const exitCode = await backup.exited;
    expect(exitCode, backup.output()).toBe(0);
    expect(backup.output()).toMatch(/^backup: \d+ events, \d+ bytes, written to /m);
    // Callbacks went on while the backup ran.
    const during = acknowledged.length;
    await waitFor(() => (acknowledged.length >= during + 10 ? true : undefined), "callbacks acknowledged after the backup");
    sending = false;
    await sender;
    expect(acknowledged.length).toBeGreaterThan(before.length);
    await app.stop();

    expect(existsSync(`${destination}-wal`)).toBe(false);
    const restored = await startApp({ ...tencentOnly, FRIENDHOOK_DATA_DIR: destinationDirectory });
    running.push(restored);
    const blocked: string[] = (await request(`${restored.url}/api/friends?provider=tencent&appId=${tencentSdkAppId}&userId=alice`)).body.blocked;
    expect(blocked.length).toBeGreaterThanOrEqual(before.length);
    expect(before.filter((user) => !blocked.includes(user))).toEqual([]);
    // What the backup holds is a prefix of what was acknowledged: nothing half written, no gap.
    expect(blocked).toEqual(acknowledged.slice(0, blocked.length));
    let events = 0;
    for (let after: string | undefined; ; ) {
      const page = (await request(`${restored.url}/api/events?limit=500${after ? `&after=${after}` : ""}`)).body;
      events += page.events.length;
      if (page.next === undefined || page.next === null || page.events.length === 0) break;
      after = page.next;
    }
    expect(events).toBe(blocked.length);
    // The restored app goes on storing.
    expect((await sendCallback(restored.url, "tencent", blockCallback("after-restore"))).status).toBe(200);
  });

  it("refuses to overwrite a file, and says where it looked when there is no database", async () => {
    const taken = join(scratch, "taken.db");
    writeFileSync(taken, "keep me");
    const overwrite = runPackageScript("backup", [taken, "--data-dir", scratch]);
    expect(await overwrite.exited).toBe(1);
    expect(overwrite.output()).toContain("There is no database at");
    const app = await startApp(tencentOnly);
    running.push(app);
    const refused = runPackageScript("backup", [taken, "--data-dir", app.configuration.dataDirectory]);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain("exists already");
  });
});
