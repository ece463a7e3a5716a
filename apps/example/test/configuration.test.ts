import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { type Configuration, describeConfiguration, parseConfiguration, usesDemoCredentials } from "../src/config/configuration";
import { demoUseOf } from "../src/config/command-line";
import { ConfigurationError } from "../src/config/configuration-error";
import { demoCredentials } from "./support/demo-credentials";
import { loadConfiguration } from "../src/config/load-configuration";
import { providers } from "../src/providers";

const appDirectory = resolve(import.meta.dirname, "..");
const easemobOnly = { EASEMOB_SECRET: "rule-secret" };
const apiToken = "read-api-token-3KqP9xVz7Lm2";
const rotatedApiToken = "read-api-token-rotated-Wd4Hs8Ty1";
// Standard Webhooks secrets of the right shape: whsec_ and a key of 24 to 64 bytes in base64.
const httpSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const rotatedHttpSecret = "whsec_dGhlLXNlY29uZC1zZWNyZXQtb2YtMjQtYnl0ZXM=";

/** The options of each configured provider, as its adapter takes them. */
function optionsOf(configuration: Configuration): Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>> {
  return configuration.providerOptions as Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
}

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
      providers,
      providerOptions: { easemob: { secrets: ["rule-secret"] } },
      api: { tokens: undefined },
      decisions: { blockRule: true, deadlineMs: 1800 },
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
        FRIENDHOOK_DELIVERY_BATCHES_IN_FLIGHT: "2",
        FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS: "500",
        FRIENDHOOK_DELIVERY_LEASE_MS: "120000",
        LOG_LEVEL: "debug",
        EASEMOB_SECRET: "first-rule, second-rule",
        EASEMOB_APPKEY: "1112220101#demo,1112220101#other",
        TENCENT_SDKAPPID: "1400000001,1400000002",
        TENCENT_TOKEN: "xxxxyyyy, zzzzwwww",
        TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: "500",
        OPENIM_ENABLED: "true",
        OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: "2000",
        FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: "8mb",
        OPENIM_TOKEN: "old-openim-token,new-openim-token",
        OPENIM_APP_ID: "openim-production",
        EASEMOB_MAXIMUM_AGE_SECONDS: "300",
        EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "4",
        TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: "120",
        FRIENDHOOK_API_TOKEN: `${apiToken}, ${rotatedApiToken}`,
        FRIENDHOOK_METRICS_TOKEN: "metrics-token-Jf6Rt2Nq8Xb",
        FRIENDHOOK_DECISION_BLOCK_RULE: "off",
        FRIENDHOOK_DECISION_URL: "https://decide.internal/friend-requests?tenant=main",
        FRIENDHOOK_DECISION_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        FRIENDHOOK_DECISION_TIMEOUT: "1200ms",
        FRIENDHOOK_DECISION_ON_TIMEOUT: "deny",
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
        batchesInFlight: 2,
        pollIntervalMs: 500,
        leaseMs: 120_000,
      },
      providers,
      providerOptions: {
        easemob: { secrets: ["first-rule", "second-rule"], appKeys: ["1112220101#demo", "1112220101#other"], maximumAgeSeconds: 300, maximumEventsPerCallback: 4 },
        tencent: { sdkAppIds: ["1400000001", "1400000002"], token: ["xxxxyyyy", "zzzzwwww"], maximumClockSkewSeconds: 120, maximumEventsPerCallback: 500 },
        openim: { appId: "openim-production", token: ["old-openim-token", "new-openim-token"], maximumEventsPerCallback: 2000 },
      },
      maximumBodyBytesInFlight: 8 * 1024 * 1024,
      api: { tokens: [apiToken, rotatedApiToken] },
      metricsTokens: ["metrics-token-Jf6Rt2Nq8Xb"],
      decisions: {
        blockRule: false,
        endpoint: {
          url: "https://decide.internal/friend-requests?tenant=main",
          secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
          timeoutMs: 1200,
          onTimeout: "deny",
        },
        deadlineMs: 1500,
      },
    });
    expect(describeConfiguration(configuration).decisions).toEqual({
      blockRule: "off",
      endpoint: { url: "https://decide.internal/friend-requests", timeoutMs: 1200, onTimeout: "deny" },
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
    const receiverDefaults = { maximumAttempts: 10, initialBackoffMs: 1000, maximumBackoffMs: 600_000, batchSize: 100, batchesInFlight: 4, pollIntervalMs: 1000, leaseMs: 30_000 };
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
    expect(optionsOf(configuration).tencent).toBeUndefined();
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
      "OPENIM_ENABLED: is false, but OPENIM_TOKEN is set; remove it, or set OPENIM_ENABLED=true",
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
    [{ FRIENDHOOK_DELIVERY_BATCHES_IN_FLIGHT: "65" }, 'FRIENDHOOK_DELIVERY_BATCHES_IN_FLIGHT: must be a whole number from 1 to 64 (got "65")'],
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
    [{ TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "two words" }, "TENCENT_TOKEN: entry 1 contains whitespace; copy the value without spaces or line breaks"],
    [{ EASEMOB_MAXIMUM_AGE_SECONDS: "0" }, 'EASEMOB_MAXIMUM_AGE_SECONDS: must be a whole number of seconds from 1 to 604800 (got "0")'],
    [{ EASEMOB_MAXIMUM_AGE_SECONDS: "5m" }, 'EASEMOB_MAXIMUM_AGE_SECONDS: must be a whole number of seconds from 1 to 604800 (got "5m")'],
    [{ EASEMOB_MAXIMUM_AGE_SECONDS: "604801" }, 'EASEMOB_MAXIMUM_AGE_SECONDS: must be a whole number of seconds from 1 to 604800 (got "604801")'],
    [{ EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "0" }, 'EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: must be a whole number from 1 to 100000 (got "0")'],
    [
      { TENCENT_SDKAPPID: "1400000000", TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: "3601" },
      'TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: must be a whole number of seconds from 1 to 3600 (got "3601")',
    ],
    [{ TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: "30" }, "TENCENT_SDKAPPID: is required when TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS is set"],
    [{ EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "2.5" }, 'EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: must be a whole number from 1 to 100000 (got "2.5")'],
    [{ FRIENDHOOK_API: "false" }, 'FRIENDHOOK_API: must be on or off (got "false")'],
    [
      { FRIENDHOOK_API_TOKEN: "short-token" },
      "FRIENDHOOK_API_TOKEN: entry 1 is shorter than 16 characters; make one with `openssl rand -base64 32`",
    ],
    [
      { FRIENDHOOK_API_TOKEN: `${apiToken},token"with"quotes-and-more` },
      "FRIENDHOOK_API_TOKEN: entry 2 may hold only letters, digits and - . _ ~ + / (and = at the end), the characters of a bearer token; make one with `openssl rand -base64 32`",
    ],
    [{ FRIENDHOOK_API_TOKEN: `${apiToken},,${rotatedApiToken}` }, "FRIENDHOOK_API_TOKEN: entry 2 of the comma-separated list is empty"],
    [{ FRIENDHOOK_METRICS_TOKEN: "a token with spaces in it" }, "FRIENDHOOK_METRICS_TOKEN: entry 1 contains whitespace; copy the value without spaces or line breaks"],
    [
      { FRIENDHOOK_API: "off", FRIENDHOOK_API_TOKEN: apiToken },
      "FRIENDHOOK_API_TOKEN: is set, but FRIENDHOOK_API=off removes the read API it would protect; remove one of them",
    ],
    [{ TENCENT_ALLOW_UNAUTHENTICATED: "yes", TENCENT_SDKAPPID: "1400000000" }, 'TENCENT_ALLOW_UNAUTHENTICATED: must be true or false (got "yes")'],
    [{ TENCENT_ALLOW_UNAUTHENTICATED: "true" }, "TENCENT_SDKAPPID: is required when TENCENT_ALLOW_UNAUTHENTICATED is set"],
    [
      { TENCENT_ALLOW_UNAUTHENTICATED: "true", TENCENT_SDKAPPID: "1400000000", TENCENT_TOKEN: "real-token" },
      "TENCENT_ALLOW_UNAUTHENTICATED: is true, but TENCENT_TOKEN is set and authenticates every callback; remove TENCENT_ALLOW_UNAUTHENTICATED",
    ],
    [{ OPENIM_ALLOW_UNAUTHENTICATED: "true" }, "OPENIM_ALLOW_UNAUTHENTICATED: is set, but OpenIM is not turned on; set OPENIM_ENABLED=true, or remove it"],
    [
      { OPENIM_ALLOW_UNAUTHENTICATED: "true", OPENIM_TOKEN: "an-openim-token" },
      "OPENIM_ALLOW_UNAUTHENTICATED: is true, but OPENIM_TOKEN is set and authenticates every callback; remove OPENIM_ALLOW_UNAUTHENTICATED",
    ],
    [
      { TENCENT_SDKAPPID: "1400000000", TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: "0" },
      'TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: must be a whole number from 1 to 100000 (got "0")',
    ],
    [{ TENCENT_MAXIMUM_EVENTS_PER_CALLBACK: "10" }, "TENCENT_SDKAPPID: is required when TENCENT_MAXIMUM_EVENTS_PER_CALLBACK is set"],
    [{ OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: "lots" }, 'OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: must be a whole number from 1 to 100000 (got "lots")'],
    [
      { OPENIM_ENABLED: "false", OPENIM_APP_ID: "cluster-2", OPENIM_MAXIMUM_EVENTS_PER_CALLBACK: "5" },
      "OPENIM_ENABLED: is false, but OPENIM_APP_ID and OPENIM_MAXIMUM_EVENTS_PER_CALLBACK are set; remove them, or set OPENIM_ENABLED=true",
    ],
    [
      { FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: "2gb" },
      'FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: must be a size such as 1mb, 512kb or a number of bytes (got "2gb")',
    ],
    [{ FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: "2048mb" }, 'FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: must be at most 1024mb (got "2048mb")'],
    [
      { FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: "512kb" },
      "FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: is 524288 bytes, less than FRIENDHOOK_BODY_LIMIT (1048576 bytes); a body of the limit could never be read",
    ],
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

  it("reads where a sink starts, from=earliest or from=<sequence>, on every kind of sink, and only new events without it", () => {
    const configuration = parseConfiguration(
      {
        ...easemobOnly,
        FRIENDHOOK_SINKS: [
          "console?from=earliest",
          "trial=memory?from=42",
          "redis://:s3cret@cache.internal:6379/2?key=archive&from=earliest",
          "audit=https://hooks.example.com/friendhook?from=0&tenant=7",
          "nats://bus.internal:4222",
        ].join(","),
        FRIENDHOOK_HTTP_SINK_SECRET: httpSecret,
      },
      "/",
    );
    expect(configuration.sinks).toEqual([
      { kind: "console", from: "earliest" },
      { kind: "memory", name: "trial", from: 42 },
      { kind: "redis", url: "redis://:s3cret@cache.internal:6379/2", key: "archive", from: "earliest" },
      { kind: "http", name: "audit", url: "https://hooks.example.com/friendhook?tenant=7", format: "standard-webhooks", from: 0 },
      { kind: "nats", servers: "nats://bus.internal:4222" },
    ]);
    expect(describeConfiguration(configuration).sinks).toEqual([
      "console (from earliest)",
      "trial (memory, from 42)",
      "redis (redis://cache.internal:6379/2, key archive, from earliest)",
      "audit (https://hooks.example.com/friendhook, standard-webhooks, from 0)",
      "nats (nats://bus.internal:4222)",
    ]);
  });

  it.each([
    ["console?from=latest", 'FRIENDHOOK_SINKS: entry 1 "console" has a "from" parameter that is neither "earliest" nor a sequence (a whole number): "latest"'],
    ["redis://:hunter2@cache.internal?from=-1", 'FRIENDHOOK_SINKS: entry 1 (redis://…) has a "from" parameter that is neither "earliest" nor a sequence (a whole number): "-1"'],
    ["redis://:hunter2@cache.internal?from=1&from=2", 'FRIENDHOOK_SINKS: entry 1 (redis://…) gives the "from" parameter 2 times'],
    ["console?from=", 'FRIENDHOOK_SINKS: entry 1 "console" has a "from" parameter that is neither "earliest" nor a sequence (a whole number): ""'],
  ])("refuses the sink start %j", (sinks, message) => {
    expect(problemsOf({ ...easemobOnly, FRIENDHOOK_SINKS: sinks })).toEqual([message]);
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
    expect(optionsOf(parseConfiguration({ OPENIM_ENABLED: "true" }, "/")).openim).toEqual({ appId: "openim" });
    expect(optionsOf(parseConfiguration({ OPENIM_TOKEN: "a-token" }, "/")).openim).toEqual({ appId: "openim", token: ["a-token"] });
    expect(optionsOf(parseConfiguration({ ...easemobOnly, OPENIM_APP_ID: "cluster-2" }, "/")).openim).toEqual({ appId: "cluster-2" });
    expect(optionsOf(parseConfiguration({ ...easemobOnly, OPENIM_ENABLED: "false" }, "/")).openim).toBeUndefined();
    expect(optionsOf(parseConfiguration(easemobOnly, "/")).openim).toBeUndefined();
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

  it("needs at least one provider, and names the way to turn on each one offered", () => {
    for (const variables of [{}, { OPENIM_ENABLED: "false" }] as Record<string, string>[]) {
      const problems = problemsOf(variables);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^no provider is configured: set .*, or several; to try friendhook with the public DEMO credentials instead, start with --demo \(pnpm start\)$/);
      for (const descriptor of providers) expect(problems[0]).toContain(`${descriptor.turnedOnBy} (${descriptor.title})`);
    }
    expect(problemsOf({})[0]).toContain("EASEMOB_SECRET (Easemob), TENCENT_SDKAPPID (Tencent IM), OPENIM_ENABLED=true (OpenIM)");
  });

  it("starts in production with one provider unconfigured", () => {
    const configuration = parseConfiguration(
      { NODE_ENV: "production", TENCENT_SDKAPPID: "1400000001", TENCENT_TOKEN: "real-token", FRIENDHOOK_API_TOKEN: apiToken },
      "/",
    );
    expect(optionsOf(configuration).easemob).toBeUndefined();
    expect(optionsOf(configuration).tencent).toEqual({ sdkAppIds: ["1400000001"], token: ["real-token"] });
  });

  it("refuses the DEMO credentials in production, and only there", () => {
    const demo = {
      EASEMOB_SECRET: `real-secret,${demoCredentials.easemobSecret}`,
      TENCENT_SDKAPPID: demoCredentials.tencentSdkAppId,
      TENCENT_TOKEN: demoCredentials.tencentToken,
      OPENIM_TOKEN: demoCredentials.openImToken,
    };
    expect(problemsOf({ ...demo, NODE_ENV: "production", FRIENDHOOK_API_TOKEN: apiToken })).toEqual([
      "EASEMOB_SECRET: holds the public DEMO credential of Easemob (what --demo uses), which production refuses; set your own",
      "TENCENT_TOKEN: holds the public DEMO credential of Tencent IM (what --demo uses), which production refuses; set your own",
      "OPENIM_TOKEN: holds the public DEMO credential of OpenIM (what --demo uses), which production refuses; set your own",
    ]);
    expect(usesDemoCredentials(parseConfiguration(demo, "/"))).toBe(true);
    expect(usesDemoCredentials(parseConfiguration({ OPENIM_TOKEN: `real-token,${demoCredentials.openImToken}` }, "/"))).toBe(true);
    expect(usesDemoCredentials(parseConfiguration({ TENCENT_SDKAPPID: "1400000001", TENCENT_TOKEN: `real-token,${demoCredentials.tencentToken}` }, "/"))).toBe(true);
    expect(usesDemoCredentials(parseConfiguration(easemobOnly, "/"))).toBe(false);
  });
});

describe("production defaults", () => {
  const production = { NODE_ENV: "production", ...easemobOnly };
  const apiTokenRequired =
    "FRIENDHOOK_API_TOKEN: is required in production while the read API is on: /api/* serves the friend table, friend-request messages and end users' IP addresses; set a token (openssl rand -base64 32) that clients send as `Authorization: Bearer TOKEN`, or set FRIENDHOOK_API=off to serve the webhooks, /healthz and /metrics only";
  const tencentTokenRequired =
    "TENCENT_TOKEN: is required in production: without it Tencent callbacks are not authenticated, and whoever knows the SdkAppid can post friend events; turn on callback authentication in the Chat console and set its token here, or set TENCENT_ALLOW_UNAUTHENTICATED=true to accept unauthenticated callbacks";
  const openImTokenRequired =
    "OPENIM_TOKEN: is required in production: OpenIM signs nothing, so without a token whoever reaches /webhooks/openim can post friend events; choose a token and put it in OpenIM's webhook URL (https://friendhook:TOKEN@your.host/webhooks/openim), or set OPENIM_ALLOW_UNAUTHENTICATED=true to accept unauthenticated callbacks";

  it("refuses the read API without a token in production, and only there", () => {
    expect(problemsOf(production)).toEqual([apiTokenRequired]);
    expect(parseConfiguration({ ...production, FRIENDHOOK_API_TOKEN: apiToken }, "/").api).toEqual({ tokens: [apiToken] });
    expect(parseConfiguration({ ...easemobOnly, NODE_ENV: "test" }, "/").api).toEqual({ tokens: undefined });
  });

  it("starts in production without a token once the read API is off", () => {
    const configuration = parseConfiguration({ ...production, FRIENDHOOK_API: "off" }, "/");
    expect(configuration.api).toBeUndefined();
    expect(describeConfiguration(configuration).api).toBe("off");
  });

  it("refuses a provider that authenticates nothing in production, unless the operator opts in", () => {
    const tencentUnsigned = { ...production, FRIENDHOOK_API_TOKEN: apiToken, TENCENT_SDKAPPID: "1400000001" };
    expect(problemsOf(tencentUnsigned)).toEqual([tencentTokenRequired]);
    expect(problemsOf({ ...tencentUnsigned, TENCENT_ALLOW_UNAUTHENTICATED: "false" })).toEqual([tencentTokenRequired]);
    expect(optionsOf(parseConfiguration({ ...tencentUnsigned, TENCENT_ALLOW_UNAUTHENTICATED: "true" }, "/")).tencent).toEqual({
      sdkAppIds: ["1400000001"],
      token: undefined,
    });

    const openImUnauthenticated = { ...production, FRIENDHOOK_API_TOKEN: apiToken, OPENIM_ENABLED: "true" };
    expect(problemsOf(openImUnauthenticated)).toEqual([openImTokenRequired]);
    expect(problemsOf({ ...openImUnauthenticated, OPENIM_APP_ID: "cluster-2" })).toEqual([openImTokenRequired]);
    expect(optionsOf(parseConfiguration({ ...openImUnauthenticated, OPENIM_ALLOW_UNAUTHENTICATED: "true" }, "/")).openim).toEqual({
      appId: "openim",
      tokens: undefined,
    });

    // Outside production they start, with the warnings of the start-up.
    expect(optionsOf(parseConfiguration({ TENCENT_SDKAPPID: "1400000001", OPENIM_ENABLED: "true" }, "/")).tencent?.token).toBeUndefined();
  });

  it("lists every production refusal at once", () => {
    expect(problemsOf({ NODE_ENV: "production", TENCENT_SDKAPPID: "1400000001", OPENIM_ENABLED: "true" })).toEqual([
      tencentTokenRequired,
      openImTokenRequired,
      apiTokenRequired,
    ]);
  });

  it("never shows the API or metrics tokens in the start-up description", () => {
    const configuration = parseConfiguration({ ...production, FRIENDHOOK_API_TOKEN: apiToken, FRIENDHOOK_METRICS_TOKEN: rotatedApiToken }, "/");
    const description = describeConfiguration(configuration);
    expect(description).toMatchObject({ api: { authenticated: true }, metrics: { authenticated: true } });
    expect(JSON.stringify(description)).not.toContain(apiToken);
    expect(JSON.stringify(description)).not.toContain(rotatedApiToken);
    expect(problemsOf({ ...easemobOnly, FRIENDHOOK_API_TOKEN: `${apiToken},not-long` }).join()).not.toContain(apiToken);
  });

  it("reads the Easemob window and event cap, which need the Easemob secret", () => {
    expect(optionsOf(parseConfiguration({ ...easemobOnly, EASEMOB_MAXIMUM_AGE_SECONDS: "259200" }, "/")).easemob?.maximumAgeSeconds).toBe(259_200);
    expect(optionsOf(parseConfiguration({ ...easemobOnly, EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "2" }, "/")).easemob?.maximumEventsPerCallback).toBe(2);
    expect(problemsOf({ EASEMOB_MAXIMUM_AGE_SECONDS: "120", EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: "2" })).toEqual([
      "EASEMOB_SECRET: is required when EASEMOB_MAXIMUM_AGE_SECONDS is set",
      "EASEMOB_SECRET: is required when EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK is set",
    ]);
  });
});

describe("the command line", () => {
  it("takes --demo, and nothing else", () => {
    expect(demoUseOf([])).toBe("off");
    expect(demoUseOf(["--demo"])).toBe("requested");
    expect(() => demoUseOf(["--dmeo"])).toThrow(ConfigurationError);
    expect(() => demoUseOf(["--dmeo"])).toThrow(/Unknown option '--dmeo'.*; the app takes one option, --demo/);
    expect(() => demoUseOf(["production"])).toThrow(ConfigurationError);
  });
});

describe("loadConfiguration", () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  function directoryWith(files: Record<string, string>): string {
    const directory = mkdtempSync(join(tmpdir(), "friendhook-config-"));
    directories.push(directory);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
    return directory;
  }

  it("uses the committed DEMO configuration for a start with --demo, on this machine only", () => {
    const { configuration, filesRead } = loadConfiguration(appDirectory, {}, "requested");
    expect(filesRead).toEqual([".env.development"]);
    expect(optionsOf(configuration).easemob).toEqual({ secrets: [demoCredentials.easemobSecret], appKeys: [demoCredentials.easemobAppKey] });
    expect(optionsOf(configuration).tencent).toEqual({ sdkAppIds: [demoCredentials.tencentSdkAppId], token: [demoCredentials.tencentToken] });
    expect(optionsOf(configuration).openim).toEqual({ appId: "openim", token: [demoCredentials.openImToken] });
    expect(configuration.host).toBe("127.0.0.1");
    expect(configuration.dataDirectory).toBe(join(appDirectory, "data"));
    expect(configuration.store).toEqual({ kind: "sqlite" });
  });

  it("reads .env.development only for a start with --demo, whatever NODE_ENV says", () => {
    for (const nodeEnvironment of [{}, { NODE_ENV: "development" }, { NODE_ENV: "test" }]) {
      const { configuration, filesRead } = loadConfiguration(appDirectory, { ...nodeEnvironment, EASEMOB_SECRET: "operator-secret" });
      expect(filesRead).toEqual([]);
      expect(optionsOf(configuration).easemob).toEqual({ secrets: ["operator-secret"] });
      expect(optionsOf(configuration).tencent).toBeUndefined();
      expect(optionsOf(configuration).openim).toBeUndefined();
      expect(() => loadConfiguration(appDirectory, nodeEnvironment)).toThrow(/no provider is configured.*start with --demo/);
    }
  });

  it("never fills in the DEMO credentials beside a provider the operator configured, even with --demo", () => {
    const fromEnvironment = loadConfiguration(appDirectory, { EASEMOB_SECRET: "operator-secret" }, "requested");
    expect(fromEnvironment.filesRead).toEqual([".env.development"]);
    expect(optionsOf(fromEnvironment.configuration).easemob).toEqual({ secrets: ["operator-secret"] });
    expect(optionsOf(fromEnvironment.configuration).tencent).toBeUndefined();
    expect(optionsOf(fromEnvironment.configuration).openim).toBeUndefined();
    expect(usesDemoCredentials(fromEnvironment.configuration)).toBe(false);
    // The file's other settings still apply: the trial stays on this machine.
    expect(fromEnvironment.configuration.host).toBe("127.0.0.1");

    const demo = readFileSync(join(appDirectory, ".env.development"), "utf8");
    const root = directoryWith({ ".env.development": demo, ".env": "TENCENT_SDKAPPID=1400000001\nTENCENT_TOKEN=operator-token\n" });
    const fromDotenv = loadConfiguration(root, {}, "requested").configuration;
    expect(optionsOf(fromDotenv).tencent).toEqual({ sdkAppIds: ["1400000001"], token: ["operator-token"] });
    expect(optionsOf(fromDotenv).easemob).toBeUndefined();
    expect(optionsOf(fromDotenv).openim).toBeUndefined();
    // A blank provider variable configures nothing: the DEMO set applies whole.
    expect(optionsOf(loadConfiguration(appDirectory, { TENCENT_TOKEN: " " }, "requested").configuration).tencent?.token).toEqual([demoCredentials.tencentToken]);
  });

  it("refuses --demo in production, from the environment or from .env", () => {
    expect(() => loadConfiguration(appDirectory, { NODE_ENV: "production", EASEMOB_SECRET: "operator-secret" }, "requested")).toThrow(
      /--demo: starts with the public DEMO credentials of \.env\.development, which production \(NODE_ENV=production\) refuses/,
    );
    const root = directoryWith({ ".env": "NODE_ENV=production\n", ".env.development": "EASEMOB_SECRET=from-development\n" });
    expect(() => loadConfiguration(root, {}, "requested")).toThrow(/--demo: /);
  });

  it("refuses --demo where there is no .env.development", () => {
    const root = directoryWith({});
    expect(() => loadConfiguration(root, {}, "requested")).toThrow(/--demo: needs the committed \.env\.development/);
  });

  it("marks .env.development DEMO ONLY, and takes every provider's DEMO credentials from its descriptor", () => {
    const text = readFileSync(join(appDirectory, ".env.development"), "utf8");
    expect(text.split("\n")[0]).toMatch(/^# DEMO ONLY/);
    const fileVariables = Object.keys(parse(text));
    for (const descriptor of providers) {
      // The credentials live in one place: the descriptor.
      expect(fileVariables.filter((name) => name in descriptor.variables)).toEqual([]);
      // Each provider's DEMO alone turns it on, authenticated, and only outside production.
      const alone = parseConfiguration(descriptor.demo, "/");
      expect(Object.keys(alone.providerOptions)).toEqual([descriptor.name]);
      expect(alone.unauthenticatedProviders).toBeUndefined();
      expect(usesDemoCredentials(alone)).toBe(true);
      expect(problemsOf({ ...descriptor.demo, NODE_ENV: "production", FRIENDHOOK_API_TOKEN: apiToken }).join("\n")).toMatch(/DEMO credential/);
    }
  });

  it("reads .env.development for simulate outside production only", () => {
    const root = directoryWith({ ".env.development": "EASEMOB_SECRET=from-development\n" });
    expect(() => loadConfiguration(root, { NODE_ENV: "production" }, "outside-production")).toThrow(/no provider is configured/);
    expect(optionsOf(loadConfiguration(root, {}, "outside-production").configuration).easemob?.secrets).toEqual(["from-development"]);
    expect(loadConfiguration(directoryWith({}), { EASEMOB_SECRET: "operator-secret" }, "outside-production").filesRead).toEqual([]);
  });

  it("lets the environment win over .env, and .env over .env.development", () => {
    const root = directoryWith({
      ".env.development": "EASEMOB_SECRET=from-development\nLOG_LEVEL=debug\nPORT=4000\n",
      ".env": "EASEMOB_SECRET=from-dotenv\nPORT=5000\n",
    });
    const { configuration, filesRead } = loadConfiguration(root, { PORT: "6000" }, "requested");
    expect(filesRead).toEqual([".env", ".env.development"]);
    expect(configuration.port).toBe(6000);
    expect(optionsOf(configuration).easemob?.secrets).toEqual(["from-dotenv"]);
    expect(configuration.logLevel).toBe("debug");
  });

  it("takes NODE_ENV from .env too, refusing the DEMO credentials copied into it", () => {
    const copied = providers.flatMap((descriptor) => Object.entries(descriptor.demo).map(([name, value]) => `${name}="${value}"`));
    const root = directoryWith({ ".env": `NODE_ENV=production\nFRIENDHOOK_API_TOKEN=${apiToken}\n${copied.join("\n")}\n` });
    expect(() => loadConfiguration(root, {})).toThrow(/EASEMOB_SECRET: holds the public DEMO credential/);
  });
});
