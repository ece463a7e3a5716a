import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoCredentials } from "../src/config/demo-credentials";
import { type Child, runPackageScript, startAppProcess } from "./support/child-process";
import { request, waitFor } from "./support/running-app";

const children: Child[] = [];
const directories: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.process.kill("SIGKILL");
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "friendhook-process-"));
  directories.push(directory);
  return directory;
}

function track(child: Child): Child {
  children.push(child);
  return child;
}

describe("the app as a process", () => {
  it("starts with the DEMO configuration, takes `simulate`, and stops cleanly on SIGTERM", async () => {
    const app = track(startAppProcess({ NODE_ENV: "development", PORT: "0", FRIENDHOOK_DATA_DIR: dataDirectory() }));
    const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(app.output())?.[1], "the app to listen", 45_000);
    expect(app.output()).toContain("DEMO credentials");

    const simulate = track(runPackageScript("simulate", ["--url", url]));
    expect(await simulate.exited).toBe(0);
    const printed = simulate.output();
    expect(printed).toMatch(/^(\d+) sent, \1 acknowledged, 0 refused\.$/m);
    for (const kind of ["remote_accept", "remote_decline", "ban (failed)", "allow", "remove", "Sns.CallbackPrevFriendAdd", "Sns.CallbackPrevFriendResponse", "Sns.CallbackBlackListDelete", "C2C.CallbackAfterSendMsg"]) {
      expect(printed).toContain(kind);
    }
    expect(printed).toContain(`${url}/api/events`);
    expect(printed).toContain(`${url}/api/friends?provider=easemob&appId=${encodeURIComponent(demoCredentials.easemobAppKey)}&userId=alice`);

    const easemobAppId = encodeURIComponent(demoCredentials.easemobAppKey);
    expect((await request(`${url}/api/friends?provider=easemob&appId=${easemobAppId}&userId=alice`)).body).toEqual({
      friends: ["bob"],
      blocked: ["erin"],
    });
    expect((await request(`${url}/api/friends?provider=tencent&appId=${demoCredentials.tencentSdkAppId}&userId=alice`)).body).toEqual({
      friends: ["bob"],
      blocked: ["dave"],
    });
    const events = (await request(`${url}/api/events?limit=1000`)).body.events as Array<{ type: string }>;
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set([
        "friend.request.sent",
        "friend.request.accepted",
        "friend.request.declined",
        "friend.added",
        "friend.removed",
        "friend.blocked",
        "friend.unblocked",
        "friend.operation.failed",
      ]),
    );
    expect((await request(`${url}/api/unrecognized`)).body.unrecognized).toHaveLength(1);
    // The console sink prints each event as a readable line.
    await waitFor(() => (app.output().includes("friend.added bob ⇄ alice") ? true : undefined), "the console sink");

    app.process.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain("stopped");

    const unreachable = track(runPackageScript("simulate", ["--url", url]));
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.output()).toContain(`simulate: cannot reach ${url}`);
  }, 120_000);

  it("exits 1 with one line per mistake, and no stack trace, when the configuration is wrong", async () => {
    const app = track(
      startAppProcess({ NODE_ENV: "development", EASEMOB_SECRET: "first,,third", PORT: "eighty", FRIENDHOOK_DATA_DIR: dataDirectory() }),
    );
    expect(await app.exited).toBe(1);
    expect(app.output()).toBe(
      [
        "friendhook: The configuration is invalid:",
        '  - PORT: must be a port number from 0 to 65535 (got "eighty")',
        "  - EASEMOB_SECRET: entry 2 of the comma-separated list is empty",
        "",
      ].join("\n"),
    );
  });

  it("refuses the DEMO credentials in production", async () => {
    const app = track(
      startAppProcess({
        NODE_ENV: "production",
        EASEMOB_SECRET: demoCredentials.easemobSecret,
        PORT: "0",
        FRIENDHOOK_DATA_DIR: dataDirectory(),
      }),
    );
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain("EASEMOB_SECRET: holds the public DEMO secret of .env.development, which production refuses");
    expect(app.output()).not.toMatch(/^\s+at /m);
  });
});
