import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfiguration, usesDemoCredentials } from "../src/config/configuration";
import { ConfigurationError } from "../src/config/configuration-error";
import { demoCredentials } from "../src/config/demo-credentials";
import { loadConfiguration } from "../src/config/load-configuration";

const appDirectory = resolve(import.meta.dirname, "..");
const easemobOnly = { EASEMOB_SECRET: "rule-secret" };

function problemsOf(variables: Record<string, string>): readonly string[] {
  try {
    parseConfiguration(variables, "/srv/friendhook");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("the configuration was accepted");
}

describe("parseConfiguration", () => {
  it("applies the defaults", () => {
    const configuration = parseConfiguration(easemobOnly, "/srv/friendhook");
    expect(configuration).toEqual({
      environment: "development",
      host: undefined,
      port: 3000,
      dataDirectory: "/srv/friendhook/data",
      bodyLimitBytes: 1024 * 1024,
      logLevel: "info",
      sinks: [{ kind: "console" }],
      easemob: { secrets: ["rule-secret"], appKeys: undefined },
      tencent: undefined,
    });
  });

  it("reads every variable", () => {
    const configuration = parseConfiguration(
      {
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: "8080",
        FRIENDHOOK_DATA_DIR: "/var/lib/friendhook",
        FRIENDHOOK_BODY_LIMIT: "512kb",
        FRIENDHOOK_SINKS: "memory, console",
        LOG_LEVEL: "debug",
        EASEMOB_SECRET: "first-rule, second-rule",
        EASEMOB_APPKEY: "1112220101#demo,1112220101#other",
        TENCENT_SDKAPPID: "1400000001,1400000002",
        TENCENT_TOKEN: "xxxxyyyy",
      },
      "/srv/friendhook",
    );
    expect(configuration).toEqual({
      environment: "production",
      host: "127.0.0.1",
      port: 8080,
      dataDirectory: "/var/lib/friendhook",
      bodyLimitBytes: 512 * 1024,
      logLevel: "debug",
      sinks: [{ kind: "memory" }, { kind: "console" }],
      easemob: { secrets: ["first-rule", "second-rule"], appKeys: ["1112220101#demo", "1112220101#other"] },
      tencent: { sdkAppIds: ["1400000001", "1400000002"], token: "xxxxyyyy" },
    });
  });

  it.each([
    ["1mb", 1024 * 1024],
    ["512KB", 512 * 1024],
    ["2048", 2048],
    ["100 b", 100],
  ])("reads the body limit %s", (text, bytes) => {
    expect(parseConfiguration({ ...easemobOnly, FRIENDHOOK_BODY_LIMIT: text }, "/").bodyLimitBytes).toBe(bytes);
  });

  it("treats blank values as unset", () => {
    const configuration = parseConfiguration({ ...easemobOnly, PORT: "", LOG_LEVEL: " ", TENCENT_TOKEN: "" }, "/");
    expect(configuration.port).toBe(3000);
    expect(configuration.logLevel).toBe("info");
    expect(configuration.tencent).toBeUndefined();
  });

  it.each([
    [{ PORT: "http" }, 'PORT: must be a port number from 0 to 65535 (got "http")'],
    [{ PORT: "70000" }, 'PORT: must be a port number from 0 to 65535 (got "70000")'],
    [{ NODE_ENV: "staging" }, 'NODE_ENV: must be one of development, production, test (got "staging")'],
    [{ LOG_LEVEL: "verbose" }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
    [{ FRIENDHOOK_BODY_LIMIT: "lots" }, 'FRIENDHOOK_BODY_LIMIT: must be a size such as 1mb, 512kb or a number of bytes (got "lots")'],
    [{ FRIENDHOOK_BODY_LIMIT: "0" }, "FRIENDHOOK_BODY_LIMIT: must be at least 1 byte"],
    [{ FRIENDHOOK_BODY_LIMIT: "65mb" }, 'FRIENDHOOK_BODY_LIMIT: must be at most 64mb (got "65mb")'],
    [{ FRIENDHOOK_SINKS: "console,kafka" }, 'FRIENDHOOK_SINKS: unknown sink "kafka"; supported sinks: console, memory'],
    [{ FRIENDHOOK_SINKS: "console,console" }, 'FRIENDHOOK_SINKS: the sink "console" is listed twice'],
    [{ FRIENDHOOK_SINKS: "console,,memory" }, "FRIENDHOOK_SINKS: entry 2 of the comma-separated list is empty"],
    [{ EASEMOB_SECRET: "first,,third" }, "EASEMOB_SECRET: entry 2 of the comma-separated list is empty"],
    [{ EASEMOB_SECRET: "one, two halves" }, "EASEMOB_SECRET: entry 2 contains whitespace; copy the value without spaces or line breaks"],
    [
      { EASEMOB_APPKEY: "1112220101" },
      'EASEMOB_APPKEY: entry 1 ("1112220101") is not an app key of the form "org#app"; in a .env file, quote it: EASEMOB_APPKEY="org#app"',
    ],
    [{ TENCENT_SDKAPPID: "14000x" }, 'TENCENT_SDKAPPID: entry 1 ("14000x") is not an SdkAppid, which is a number such as 1400000000'],
    [{ TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "two words" }, "TENCENT_TOKEN: contains whitespace; copy the value without spaces or line breaks"],
  ])("refuses %j", (variables, message) => {
    expect(problemsOf({ ...easemobOnly, ...variables })).toEqual([message]);
  });

  it("names the supported sinks when given a URL sink it cannot build, without repeating the URL", () => {
    const problems = problemsOf({ ...easemobOnly, FRIENDHOOK_SINKS: "postgres://friendhook:hunter2@db.internal/events" });
    expect(problems).toEqual(['FRIENDHOOK_SINKS: "postgres://" sinks are not supported by this app; supported sinks: console, memory']);
    expect(problems.join()).not.toContain("hunter2");
  });

  it("never repeats a secret in a message", () => {
    const problems = problemsOf({ EASEMOB_SECRET: "top secret value", TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "token with spaces" });
    expect(problems).toHaveLength(2);
    expect(problems.join()).not.toMatch(/top secret|token with/);
  });

  it("reports every mistake at once", () => {
    const problems = problemsOf({ PORT: "x", LOG_LEVEL: "loud", FRIENDHOOK_SINKS: "nats://bus" });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual(["PORT", "FRIENDHOOK_SINKS", "LOG_LEVEL"]);
  });

  it("needs the other half of a provider's settings", () => {
    expect(problemsOf({ EASEMOB_APPKEY: "org#app", TENCENT_SDKAPPID: "1400000000" })).toEqual([
      "EASEMOB_SECRET: is required when EASEMOB_APPKEY is set (the secret of the Easemob callback rule)",
    ]);
    expect(problemsOf({ ...easemobOnly, TENCENT_TOKEN: "xxxxyyyy" })).toEqual(["TENCENT_SDKAPPID: is required when TENCENT_TOKEN is set"]);
  });

  it("needs at least one provider", () => {
    expect(problemsOf({})).toEqual([
      "no provider is configured: set EASEMOB_SECRET (Easemob), TENCENT_SDKAPPID (Tencent IM), or both; outside production, .env.development provides DEMO values",
    ]);
  });

  it("starts in production with one provider unconfigured", () => {
    const configuration = parseConfiguration({ NODE_ENV: "production", TENCENT_SDKAPPID: "1400000001", TENCENT_TOKEN: "real-token" }, "/");
    expect(configuration.easemob).toBeUndefined();
    expect(configuration.tencent).toEqual({ sdkAppIds: ["1400000001"], token: "real-token" });
  });

  it("refuses the DEMO credentials in production, and only there", () => {
    const demo = {
      EASEMOB_SECRET: `real-secret,${demoCredentials.easemobSecret}`,
      TENCENT_SDKAPPID: demoCredentials.tencentSdkAppId,
      TENCENT_TOKEN: demoCredentials.tencentToken,
    };
    expect(problemsOf({ ...demo, NODE_ENV: "production" })).toEqual([
      "EASEMOB_SECRET: holds the public DEMO secret of .env.development, which production refuses; set the secret of your Easemob callback rule",
      "TENCENT_TOKEN: is the public DEMO token of .env.development, which production refuses; set the token of your Tencent IM callback",
    ]);
    expect(usesDemoCredentials(parseConfiguration(demo, "/"))).toBe(true);
    expect(usesDemoCredentials(parseConfiguration(easemobOnly, "/"))).toBe(false);
  });
});

describe("loadConfiguration", () => {
  let directory: string | undefined;
  afterEach(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });

  function directoryWith(files: Record<string, string>): string {
    directory = mkdtempSync(join(tmpdir(), "friendhook-config-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
    return directory;
  }

  it("uses the committed DEMO configuration outside production", () => {
    const { configuration, filesRead } = loadConfiguration(appDirectory, {});
    expect(filesRead).toEqual([".env.development"]);
    expect(configuration.easemob).toEqual({ secrets: [demoCredentials.easemobSecret], appKeys: [demoCredentials.easemobAppKey] });
    expect(configuration.tencent).toEqual({ sdkAppIds: [demoCredentials.tencentSdkAppId], token: demoCredentials.tencentToken });
    expect(configuration.dataDirectory).toBe(join(appDirectory, "data"));
  });

  it("keeps .env.development and the DEMO credentials in agreement, and marks the file DEMO ONLY", () => {
    const text = readFileSync(join(appDirectory, ".env.development"), "utf8");
    expect(text.split("\n")[0]).toMatch(/^# DEMO ONLY/);
    const variables = parse(text);
    expect(variables).toMatchObject({
      EASEMOB_SECRET: demoCredentials.easemobSecret,
      EASEMOB_APPKEY: demoCredentials.easemobAppKey,
      TENCENT_SDKAPPID: demoCredentials.tencentSdkAppId,
      TENCENT_TOKEN: demoCredentials.tencentToken,
    });
  });

  it("does not read .env.development in production", () => {
    const root = directoryWith({ ".env.development": "EASEMOB_SECRET=from-development\n" });
    expect(() => loadConfiguration(root, { NODE_ENV: "production" })).toThrow(/no provider is configured/);
    expect(loadConfiguration(root, {}).configuration.easemob?.secrets).toEqual(["from-development"]);
  });

  it("lets the environment win over .env, and .env over .env.development", () => {
    const root = directoryWith({
      ".env.development": "EASEMOB_SECRET=from-development\nLOG_LEVEL=debug\nPORT=4000\n",
      ".env": "EASEMOB_SECRET=from-dotenv\nPORT=5000\n",
    });
    const { configuration, filesRead } = loadConfiguration(root, { PORT: "6000" });
    expect(filesRead).toEqual([".env", ".env.development"]);
    expect(configuration.port).toBe(6000);
    expect(configuration.easemob?.secrets).toEqual(["from-dotenv"]);
    expect(configuration.logLevel).toBe("debug");
  });

  it("takes NODE_ENV from .env too, refusing a copy of the DEMO file used in production", () => {
    const demo = readFileSync(join(appDirectory, ".env.development"), "utf8");
    const root = directoryWith({ ".env": `NODE_ENV=production\n${demo}` });
    expect(() => loadConfiguration(root, {})).toThrow(/DEMO secret/);
  });
});
