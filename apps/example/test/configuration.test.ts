import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { describeConfiguration, parseConfiguration, usesDemoCredentials } from "../src/config/configuration";
import { ConfigurationError } from "../src/config/configuration-error";
import { demoCredentials } from "../src/config/demo-credentials";
import { loadConfiguration } from "../src/config/load-configuration";

const appDirectory = resolve(import.meta.dirname, "..");
const easemobOnly = { EASEMOB_SECRET: "rule-secret" };
// Standard Webhooks secrets of the right shape: whsec_ and a key of 24 to 64 bytes in base64.
const httpSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const rotatedHttpSecret = "whsec_dGhlLXNlY29uZC1zZWNyZXQtb2YtMjQtYnl0ZXM=";

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
      store: { kind: "sqlite" },
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
        FRIENDHOOK_STORE: "postgresql://friendhook:s3cret@db.internal:5433/app?sslmode=require&schema=friendhook&tablePrefix=store_",
        FRIENDHOOK_BODY_LIMIT: "512kb",
        FRIENDHOOK_SINKS: "memory, console",
        FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "5",
        FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "250",
        FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "60000",
        FRIENDHOOK_DELIVERY_BATCH_SIZE: "20",
        FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "500",
        FRIENDHOOK_DELIVERY_LEASE_MS: "120000",
        LOG_LEVEL: "debug",
        EASEMOB_SECRET: "first-rule, second-rule",
        EASEMOB_APPKEY: "1112220101#demo,1112220101#other",
        TENCENT_SDKAPPID: "1400000001,1400000002",
        TENCENT_TOKEN: "xxxxyyyy",
        OPENIM_ENABLED: "true",
        OPENIM_TOKEN: "old-openim-token,new-openim-token",
        OPENIM_APP_ID: "openim-production",
      },
      "/srv/friendhook",
    );
    expect(configuration).toEqual({
      environment: "production",
      host: "127.0.0.1",
      port: 8080,
      dataDirectory: "/var/lib/friendhook",
      store: {
        kind: "postgres",
        connectionString: "postgresql://friendhook:s3cret@db.internal:5433/app?sslmode=require",
        schema: "friendhook",
        tablePrefix: "store_",
      },
      bodyLimitBytes: 512 * 1024,
      logLevel: "debug",
      sinks: [{ kind: "memory" }, { kind: "console" }],
      delivery: {
        maximumAttempts: 5,
        initialBackoffMs: 250,
        maximumBackoffMs: 60_000,
        batchSize: 20,
        pollIntervalMs: 500,
        leaseMs: 120_000,
      },
      easemob: { secrets: ["first-rule", "second-rule"], appKeys: ["1112220101#demo", "1112220101#other"] },
      tencent: { sdkAppIds: ["1400000001", "1400000002"], token: "xxxxyyyy" },
      openim: { appId: "openim-production", tokens: ["old-openim-token", "new-openim-token"] },
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

  it("keeps only the delivery settings given, and describes the effective ones with the receiver's defaults", () => {
    const configuration = parseConfiguration({ ...easemobOnly, FRIENDHOOK_DELIVERY_LEASE_MS: "100", FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "1000" }, "/");
    expect(configuration.delivery).toEqual({ maximumAttempts: 1000, leaseMs: 100 });
    const receiverDefaults = { maximumAttempts: 10, initialBackoffMs: 1000, maximumBackoffMs: 600_000, batchSize: 100, pollIntervalMs: 1000, leaseMs: 30_000 };
    expect(describeConfiguration(configuration).delivery).toEqual({ ...receiverDefaults, maximumAttempts: 1000, leaseMs: 100 });
    expect(describeConfiguration(parseConfiguration(easemobOnly, "/")).delivery).toEqual(receiverDefaults);
  });

  it("accepts no backoff at all, and an initial backoff equal to the maximum", () => {
    const noWait = { FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "0", FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "0" };
    expect(parseConfiguration({ ...easemobOnly, ...noWait }, "/").delivery).toEqual({ initialBackoffMs: 0, maximumBackoffMs: 0 });
    const longest = "2147483647";
    const equal = { FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: longest, FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: longest };
    expect(parseConfiguration({ ...easemobOnly, ...equal }, "/").delivery).toEqual({ initialBackoffMs: 2_147_483_647, maximumBackoffMs: 2_147_483_647 });
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
    [
      { FRIENDHOOK_SINKS: "console,kafka" },
      'FRIENDHOOK_SINKS: entry 2 is an unknown sink "kafka"; supported sinks: console, memory, postgres://…, redis://…, rediss://…, nats://…, http://…, https://…',
    ],
    [
      { FRIENDHOOK_SINKS: "console,console" },
      'FRIENDHOOK_SINKS: entries 1 and 2 are both the sink "console"; deliveries are tracked by sink name, so name them apart: name=sink, e.g. audit=https://…',
    ],
    [
      { FRIENDHOOK_SINKS: "https://a.example/friendhook,https://b.example/friendhook", FRIENDHOOK_HTTP_SINK_SECRET: httpSecret },
      'FRIENDHOOK_SINKS: entries 1 and 2 are both the sink "http"; deliveries are tracked by sink name, so name them apart: name=sink, e.g. audit=https://…',
    ],
    [
      { FRIENDHOOK_SINKS: "Audit=https://a.example/friendhook", FRIENDHOOK_HTTP_SINK_SECRET: httpSecret },
      'FRIENDHOOK_SINKS: entry 1 names its sink "Audit"; a sink name is a lower-case letter, then up to 39 lower-case letters, digits, "-" or "_"',
    ],
    [{ FRIENDHOOK_SINKS: "console,audit=" }, 'FRIENDHOOK_SINKS: entry 2 names the sink "audit" but gives no sink after "="'],
    [
      { FRIENDHOOK_SINKS: "https://a.example/friendhook?format=xml", FRIENDHOOK_HTTP_SINK_SECRET: httpSecret },
      'FRIENDHOOK_SINKS: entry 1 (https://…) has format "xml"; use standard-webhooks or cloudevents',
    ],
    [
      { FRIENDHOOK_SINKS: "https://a.example/friendhook" },
      "FRIENDHOOK_HTTP_SINK_SECRET: is required for the http(s):// sinks of FRIENDHOOK_SINKS: the Standard Webhooks secret (whsec_…) the endpoint verifies",
    ],
    [
      { FRIENDHOOK_SINKS: "https://a.example/friendhook", FRIENDHOOK_HTTP_SINK_SECRET: "whsec_tooShort" },
      "FRIENDHOOK_HTTP_SINK_SECRET: entry 1 is not a Standard Webhooks secret: Expected a key of 24 to 64 bytes, got 6",
    ],
    [
      { FRIENDHOOK_SINKS: "nats://127.0.0.1:4222?subject=friendhook..{type}" },
      'FRIENDHOOK_SINKS: entry 1 (nats://…) has a "subject" that is not a NATS subject: dot-separated tokens without spaces, "*" or ">"',
    ],
    [{ FRIENDHOOK_SINKS: "nats://127.0.0.1:4222?stream=FRIENDHOOK" }, 'FRIENDHOOK_SINKS: entry 1 (nats://…) takes no parameter but "subject"'],
    [{ FRIENDHOOK_SINKS: "redis://127.0.0.1:6379?key=" }, 'FRIENDHOOK_SINKS: entry 1 (redis://…) gives an empty "key" parameter'],
    [
      { FRIENDHOOK_SINKS: "postgres://127.0.0.1/test?tablePrefix=Friendhook" },
      'FRIENDHOOK_SINKS: entry 1 (postgres://…) has a bad "tablePrefix" parameter: Expected lower-case letters, digits and underscores',
    ],
    [{ FRIENDHOOK_STORE: "sqlite3" }, 'FRIENDHOOK_STORE: must be "sqlite" or a postgres:// URL (got "sqlite3")'],
    [
      { FRIENDHOOK_STORE: "postgres://127.0.0.1/test?schema=a&schema=b" },
      'FRIENDHOOK_STORE: the postgres:// URL gives the "schema" parameter 2 times',
    ],
    [{ OPENIM_ENABLED: "yes" }, 'OPENIM_ENABLED: must be true or false (got "yes")'],
    [{ OPENIM_APP_ID: "open im" }, "OPENIM_APP_ID: must not contain whitespace"],
    [{ OPENIM_TOKEN: "one,,three" }, "OPENIM_TOKEN: entry 2 of the comma-separated list is empty"],
    [
      { OPENIM_ENABLED: "false", OPENIM_TOKEN: "a-token" },
      "OPENIM_ENABLED: is false, but OPENIM_TOKEN or OPENIM_APP_ID is set; remove them, or set OPENIM_ENABLED=true",
    ],
    [{ FRIENDHOOK_SINKS: "console,,memory" }, "FRIENDHOOK_SINKS: entry 2 of the comma-separated list is empty"],
    [{ EASEMOB_SECRET: "first,,third" }, "EASEMOB_SECRET: entry 2 of the comma-separated list is empty"],
    [{ EASEMOB_SECRET: "one, two halves" }, "EASEMOB_SECRET: entry 2 contains whitespace; copy the value without spaces or line breaks"],
    [
      { EASEMOB_APPKEY: "1112220101" },
      'EASEMOB_APPKEY: entry 1 ("1112220101") is not an app key of the form "org#app"; in a .env file, quote it: EASEMOB_APPKEY="org#app"',
    ],
    [{ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "ten" }, 'FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: must be a whole number from 1 to 1000 (got "ten")'],
    [{ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "0" }, 'FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: must be a whole number from 1 to 1000 (got "0")'],
    [{ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "1001" }, 'FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: must be a whole number from 1 to 1000 (got "1001")'],
    [{ FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: "2.5" }, 'FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS: must be a whole number from 1 to 1000 (got "2.5")'],
    [
      { FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "-1" },
      'FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: must be a whole number of milliseconds from 0 to 2147483647 (got "-1")',
    ],
    [
      { FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "10m" },
      'FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: must be a whole number of milliseconds from 0 to 2147483647 (got "10m")',
    ],
    [{ FRIENDHOOK_DELIVERY_BATCH_SIZE: "0" }, 'FRIENDHOOK_DELIVERY_BATCH_SIZE: must be a whole number from 1 to 1000 (got "0")'],
    [
      { FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "0" },
      'FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: must be a whole number of milliseconds from 1 to 2147483647 (got "0")',
    ],
    [
      { FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "2147483648" },
      'FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: must be a whole number of milliseconds from 1 to 2147483647 (got "2147483648")',
    ],
    [{ FRIENDHOOK_DELIVERY_LEASE_MS: "99" }, 'FRIENDHOOK_DELIVERY_LEASE_MS: must be a whole number of milliseconds from 100 to 2147483647 (got "99")'],
    [
      { FRIENDHOOK_DELIVERY_LEASE_MS: "99999999999999999999999" },
      'FRIENDHOOK_DELIVERY_LEASE_MS: must be a whole number of milliseconds from 100 to 2147483647 (got "99999999999999999999")',
    ],
    [
      { FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "5000", FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "1000" },
      "FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: is 5000, more than FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS (1000); the first wait cannot be longer than the longest",
    ],
    [
      { FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: "700000" },
      "FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS: is 700000, more than FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS (default 600000); the first wait cannot be longer than the longest",
    ],
    [
      { FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: "500" },
      "FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS: is 500, less than FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS (default 1000); set FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS to 500 or less too",
    ],
    [{ TENCENT_SDKAPPID: "14000x" }, 'TENCENT_SDKAPPID: entry 1 ("14000x") is not an SdkAppid, which is a number such as 1400000000'],
    [{ TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "two words" }, "TENCENT_TOKEN: contains whitespace; copy the value without spaces or line breaks"],
  ])("refuses %j", (variables, message) => {
    expect(problemsOf({ ...easemobOnly, ...variables })).toEqual([message]);
  });

  it("reads every kind of sink, named or not, taking out friendhook's parameters and keeping the driver's", () => {
    const configuration = parseConfiguration(
      {
        ...easemobOnly,
        FRIENDHOOK_SINKS: [
          "console",
          "trial=memory",
          "postgres://friendhook:s3cret@db.internal:5432/app?sslmode=require&schema=events&tablePrefix=sink_",
          "redis://:s3cret@cache.internal:6379/2?key=friendhook:{provider}:{appId}",
          "nats://bus.internal:4222?subject=friends.{provider}.{type}",
          "audit=https://hooks.example.com/friendhook?format=cloudevents&tenant=7",
          "crm=http://crm.internal/webhooks",
        ].join(","),
        FRIENDHOOK_HTTP_SINK_SECRET: `${httpSecret},${rotatedHttpSecret}`,
      },
      "/",
    );
    expect(configuration.sinks).toEqual([
      { kind: "console" },
      { kind: "memory", name: "trial" },
      { kind: "postgres", connectionString: "postgres://friendhook:s3cret@db.internal:5432/app?sslmode=require", schema: "events", tablePrefix: "sink_" },
      { kind: "redis", url: "redis://:s3cret@cache.internal:6379/2", key: "friendhook:{provider}:{appId}" },
      { kind: "nats", servers: "nats://bus.internal:4222", subject: "friends.{provider}.{type}" },
      { kind: "http", name: "audit", url: "https://hooks.example.com/friendhook?tenant=7", format: "cloudevents" },
      { kind: "http", name: "crm", url: "http://crm.internal/webhooks", format: "standard-webhooks" },
    ]);
    expect(configuration.httpSinkSecrets).toEqual([httpSecret, rotatedHttpSecret]);
    expect(describeConfiguration(configuration).sinks).toEqual([
      "console",
      "trial (memory)",
      "postgres (postgres://db.internal:5432/app, schema events, prefix sink_)",
      "redis (redis://cache.internal:6379/2, key friendhook:{provider}:{appId})",
      "nats (nats://bus.internal:4222, subject friends.{provider}.{type})",
      "audit (https://hooks.example.com/friendhook, cloudevents)",
      "crm (http://crm.internal/webhooks, standard-webhooks)",
    ]);
  });

  it("never repeats a URL's user, password or query, in a problem or in the start-up description", () => {
    const problems = problemsOf({
      ...easemobOnly,
      FRIENDHOOK_STORE: "mysql://friendhook:hunter2@db.internal/app",
      FRIENDHOOK_SINKS: "kafka://friendhook:hunter2@broker.internal",
    });
    expect(problems).toEqual([
      "FRIENDHOOK_STORE: must be \"sqlite\" or a postgres:// URL (got a mysql:// URL)",
      "FRIENDHOOK_SINKS: entry 1 (kafka://…) is not a supported sink; supported sinks: console, memory, postgres://…, redis://…, rediss://…, nats://…, http://…, https://…",
    ]);
    for (const sinks of ["postgres://friendhook:hunter2@db:x/app", "https://friendhook:hunter2@hooks.example.com/friendhook"]) {
      const problem = problemsOf({ ...easemobOnly, FRIENDHOOK_SINKS: sinks, FRIENDHOOK_HTTP_SINK_SECRET: httpSecret });
      expect(problem).toHaveLength(1);
      expect(problem.join()).not.toContain("hunter2");
    }
    const description = JSON.stringify(
      describeConfiguration(
        parseConfiguration(
          {
            ...easemobOnly,
            FRIENDHOOK_STORE: "postgres://friendhook:hunter2@db.internal/app?sslpassword=hunter2",
            FRIENDHOOK_SINKS: "redis://:hunter2@cache.internal,audit=https://hooks.example.com/friendhook?token=hunter2",
            FRIENDHOOK_HTTP_SINK_SECRET: httpSecret,
            OPENIM_TOKEN: "hunter2",
          },
          "/",
        ),
      ),
    );
    expect(description).toContain("postgres://db.internal/app");
    expect(description).not.toContain("hunter2");
    expect(description).not.toContain(httpSecret);
  });

  it("turns OpenIM on with OPENIM_ENABLED, or with any of its settings", () => {
    expect(parseConfiguration({ OPENIM_ENABLED: "true" }, "/").openim).toEqual({ appId: "openim", tokens: undefined });
    expect(parseConfiguration({ OPENIM_TOKEN: "a-token" }, "/").openim).toEqual({ appId: "openim", tokens: ["a-token"] });
    expect(parseConfiguration({ ...easemobOnly, OPENIM_APP_ID: "cluster-2" }, "/").openim).toEqual({ appId: "cluster-2", tokens: undefined });
    expect(parseConfiguration({ ...easemobOnly, OPENIM_ENABLED: "false" }, "/").openim).toBeUndefined();
    expect(parseConfiguration(easemobOnly, "/").openim).toBeUndefined();
  });

  it("never repeats a secret in a message", () => {
    const problems = problemsOf({ EASEMOB_SECRET: "top secret value", TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "token with spaces" });
    expect(problems).toHaveLength(2);
    expect(problems.join()).not.toMatch(/top secret|token with/);
  });

  it("reports every mistake at once", () => {
    const problems = problemsOf({ PORT: "x", LOG_LEVEL: "loud", FRIENDHOOK_SINKS: "kafka://bus" });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual(["PORT", "FRIENDHOOK_SINKS", "LOG_LEVEL"]);
  });

  it("needs the other half of a provider's settings", () => {
    expect(problemsOf({ EASEMOB_APPKEY: "org#app", TENCENT_SDKAPPID: "1400000000" })).toEqual([
      "EASEMOB_SECRET: is required when EASEMOB_APPKEY is set (the secret of the Easemob callback rule)",
    ]);
    expect(problemsOf({ ...easemobOnly, TENCENT_TOKEN: "xxxxyyyy" })).toEqual(["TENCENT_SDKAPPID: is required when TENCENT_TOKEN is set"]);
  });

  it("needs at least one provider", () => {
    const none = [
      "no provider is configured: set EASEMOB_SECRET (Easemob), TENCENT_SDKAPPID (Tencent IM), OPENIM_ENABLED=true (OpenIM), or several; outside production, .env.development provides DEMO values",
    ];
    expect(problemsOf({})).toEqual(none);
    expect(problemsOf({ OPENIM_ENABLED: "false" })).toEqual(none);
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
      OPENIM_TOKEN: demoCredentials.openImToken,
    };
    expect(problemsOf({ ...demo, NODE_ENV: "production" })).toEqual([
      "EASEMOB_SECRET: holds the public DEMO secret of .env.development, which production refuses; set the secret of your Easemob callback rule",
      "TENCENT_TOKEN: is the public DEMO token of .env.development, which production refuses; set the token of your Tencent IM callback",
      "OPENIM_TOKEN: holds the public DEMO token of .env.development, which production refuses; choose a token of your own",
    ]);
    expect(usesDemoCredentials(parseConfiguration(demo, "/"))).toBe(true);
    expect(usesDemoCredentials(parseConfiguration({ OPENIM_TOKEN: `real-token,${demoCredentials.openImToken}` }, "/"))).toBe(true);
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
    expect(configuration.openim).toEqual({ appId: "openim", tokens: [demoCredentials.openImToken] });
    expect(configuration.dataDirectory).toBe(join(appDirectory, "data"));
    expect(configuration.store).toEqual({ kind: "sqlite" });
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
      OPENIM_TOKEN: demoCredentials.openImToken,
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
