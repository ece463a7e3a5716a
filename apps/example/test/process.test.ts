import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describeWithService, unusedLocalPort } from "@friendhook/testkit";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { demoCredentials } from "./support/demo-credentials";
import { appStartupTimeoutMs, runPackageScript, startAppProcess, useAppProcesses } from "./support/child-process";
import { request, waitFor } from "./support/running-app";

const { track, dataDirectory } = useAppProcesses("friendhook-process-");

describe("the app as a process", () => {
  it("starts with the DEMO configuration when asked with --demo, takes `simulate`, and stops cleanly on SIGTERM", async () => {
    const app = track(startAppProcess({ PORT: "0", FRIENDHOOK_DATA_DIR: dataDirectory() }, ["--demo"]));
    const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(app.output())?.[1], "the app to listen", appStartupTimeoutMs);
    expect(app.output()).toContain("DEMO credentials");

    const simulate = track(runPackageScript("simulate", ["--url", url]));
    expect(await simulate.exited).toBe(0);
    const printed = simulate.output();
    expect(printed).toMatch(/^(\d+) sent, \1 acknowledged, 0 refused\.$/m);
    for (const kind of [
      "remote_accept",
      "remote_decline",
      "ban (failed)",
      "allow",
      "remove",
      "Sns.CallbackPrevFriendAdd",
      "Sns.CallbackPrevFriendResponse",
      "Sns.CallbackBlackListDelete",
      "C2C.CallbackAfterSendMsg",
      "callbackBeforeAddFriendCommand",
      "callbackAfterAddFriendAgreeCommand",
      "callbackAfterImportFriendsCommand",
      "callbackAfterRemoveBlackCommand",
    ]) {
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
    expect((await request(`${url}/api/friends?provider=openim&appId=openim&userId=alice`)).body).toEqual({
      friends: ["bob", "carol"],
      blocked: ["erin"],
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
    // Tencent's message callback, OpenIM's remark and its group callback.
    const unrecognized = (await request(`${url}/api/unrecognized`)).body.unrecognized as Array<{ command: string }>;
    expect(unrecognized.map((record) => record.command)).toEqual([
      "C2C.CallbackAfterSendMsg",
      "callbackAfterSetFriendRemarkCommand",
      "callbackAfterCreateGroupCommand",
    ]);
    // The console sink prints each event as a readable line.
    await waitFor(() => (app.output().includes("friend.added bob ⇄ alice") ? true : undefined), "the console sink");

    app.process.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain("stopped");

    const unreachable = track(runPackageScript("simulate", ["--url", url]));
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.output()).toContain(`simulate: cannot reach ${url}`);
  }, 300_000);

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
    expect(app.output()).toContain("EASEMOB_SECRET: holds the public DEMO credential of Easemob (what --demo uses), which production refuses");
    expect(app.output()).not.toMatch(/^\s+at /m);
  });
});

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

describe("the app as a process, with FRIENDHOOK_STORE", () => {
  it("refuses to start, in one line, when the PostgreSQL store cannot be reached", async () => {
    const port = await unusedLocalPort();
    const app = track(
      startAppProcess({
        NODE_ENV: "development",
        PORT: "0",
        FRIENDHOOK_DATA_DIR: dataDirectory(),
        FRIENDHOOK_STORE: `postgres://friendhook:hunter2@127.0.0.1:${port}/friendhook`,
      }, ["--demo"]),
    );
    expect(await app.exited).toBe(1);
    const lastLine = app.output().trim().split("\n").at(-1);
    expect(lastLine).toMatch(/^friendhook: cannot start: the store cannot be used: .*ECONNREFUSED/);
    expect(app.output()).not.toContain("hunter2");
    expect(app.output()).not.toContain("friendhook is listening");
  });
});

describeWithService("the app as a process on PostgreSQL", 5432, () => {
  it("keeps its store in PostgreSQL, takes `simulate`, and says so at start-up", async () => {
    const schema = `friendhook_process_${randomBytes(6).toString("hex")}`;
    const database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const app = track(
        startAppProcess({
          NODE_ENV: "development",
          PORT: "0",
          FRIENDHOOK_DATA_DIR: dataDirectory(),
          FRIENDHOOK_STORE: `${databaseUrl}?schema=${schema}`,
        }, ["--demo"]),
      );
      const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(app.output())?.[1], "the app to listen", appStartupTimeoutMs);
      expect(app.output()).toMatch(/"store":"postgres \(postgres:\/\/127\.0\.0\.1:5432\/test, schema friendhook_process_[0-9a-f]+, prefix friendhook_\)"/);

      const simulate = track(runPackageScript("simulate", ["--url", url]));
      expect(await simulate.exited).toBe(0);
      expect(simulate.output()).toMatch(/^(\d+) sent, \1 acknowledged, 0 refused\.$/m);
      const easemobAppId = encodeURIComponent(demoCredentials.easemobAppKey);
      expect((await request(`${url}/api/friends?provider=easemob&appId=${easemobAppId}&userId=alice`)).body).toEqual({
        friends: ["bob"],
        blocked: ["erin"],
      });
      const stored = (await request(`${url}/api/events?limit=1000`)).body.events as Array<{ id: string }>;
      const rows = await database.query<{ id: string }>(`SELECT id FROM "${schema}".friendhook_events ORDER BY sequence`);
      expect(rows.rows.map((row) => row.id)).toEqual(stored.map((event) => event.id));

      app.process.kill("SIGTERM");
      expect(await app.exited).toBe(0);
    } finally {
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.end();
    }
  }, 300_000);
});
