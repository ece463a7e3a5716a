import { resolve } from "node:path";
import { HttpSinkOptionsSchema } from "@friendhook/http";
import { defaultOpenImAppId } from "@friendhook/openim";
import type { DeliveryOptions } from "@friendhook/receiver";
import { z } from "zod";
import { ConfigurationError } from "./configuration-error";
import {
  type DeliveryVariable,
  deliveryOptions,
  deliverySettingParser,
  deliveryVariables,
  describeBackoffConflict,
  effectiveDelivery,
} from "./delivery-settings";
import { demoCredentials } from "./demo-credentials";
import type { EnvironmentVariables } from "./environment-files";
import { parseOutputBuffer, parseShutdownTimeout } from "./process-settings";
import { parseDuration, type RetentionConfiguration, retentionOf } from "./retention-settings";
import {
  type Parsed,
  parseByteSize,
  parseCommaList,
  parsePort,
  parsed,
  problem,
} from "./setting-parsers";
import { type SinkSpecification, describeSink, parseSinkList } from "./sink-specification";
import { type StoreSpecification, describeStore, parseStore } from "./store-specification";

export const runEnvironments = ["development", "production", "test"] as const;
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type RunEnvironment = (typeof runEnvironments)[number];
export type LogLevel = (typeof logLevels)[number];

export interface EasemobConfiguration {
  /** One secret per callback rule, or the old and the new one while rotating. */
  readonly secrets: readonly string[];
  /** The app keys (`org#app`) served; every app key when absent. */
  readonly appKeys: readonly string[] | undefined;
  /** How far a callback's `timestamp` may lie from its receipt; the adapter's default when absent. */
  readonly maximumAgeSeconds?: number;
  /** The most events one callback may make; the adapter's default when absent. */
  readonly maximumEventsPerCallback?: number;
}

export interface TencentConfiguration {
  readonly sdkAppIds: readonly string[];
  /** The callback authentication token; callbacks are not authenticated without it. */
  readonly token: string | undefined;
  /** How far a signed `RequestTime` may lie from now; the adapter's default when absent. */
  readonly maximumClockSkewSeconds?: number;
}

export interface OpenImConfiguration {
  /** The `appId` of OpenIM's events: OpenIM names no app, so this names the deployment. */
  readonly appId: string;
  /** Tokens a callback must present (Basic password or Bearer); callbacks are not authenticated without. */
  readonly tokens: readonly string[] | undefined;
}

export interface ApiConfiguration {
  /** The bearer tokens every `/api/*` request must present (several while rotating); none asked when absent. */
  readonly tokens: readonly string[] | undefined;
}

export interface Configuration {
  readonly environment: RunEnvironment;
  /** The interface to listen on; every interface when absent. */
  readonly host: string | undefined;
  readonly port: number;
  /** An absolute path; the SQLite file lives inside. */
  readonly dataDirectory: string;
  /** The SQLite file in `dataDirectory` when absent. */
  readonly store?: StoreSpecification;
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  readonly sinks: readonly SinkSpecification[];
  /** The Standard Webhooks secrets (`whsec_…`) the HTTP sinks sign with; required when there is one. */
  readonly httpSinkSecrets?: readonly string[];
  /** The delivery settings given; the receiver's defaults apply to the others. Absent when none is. */
  readonly delivery?: DeliveryOptions;
  /** Absent when no Easemob secret is configured: its webhook then answers `provider_not_configured`. */
  readonly easemob: EasemobConfiguration | undefined;
  /** Absent when no Tencent SdkAppid is configured: its webhook then answers `provider_not_configured`. */
  readonly tencent: TencentConfiguration | undefined;
  /** Absent unless OpenIM is turned on: its webhook then answers `provider_not_configured`. */
  readonly openim?: OpenImConfiguration;
  /** The read and admin API (`/api/*`); absent when `FRIENDHOOK_API=off`, which removes its routes. */
  readonly api: ApiConfiguration | undefined;
  /** The bearer tokens `/metrics` requires; open to whoever reaches it when absent. */
  readonly metricsTokens?: readonly string[];
  /** How long a shutdown may take; `defaultShutdownTimeoutMs` when absent. */
  readonly shutdownTimeoutMs?: number;
  /** The standard output kept while its reader is slower than the app; `defaultOutputBufferBytes` when absent. */
  readonly outputBufferBytes?: number;
  /** The retention settings given (see `retention-settings.ts`); absent when none is. */
  readonly retention?: Partial<RetentionConfiguration>;
}

function setting<Value>(parse: (text: string) => Parsed<Value>) {
  return z.string().transform((text, context) => {
    const result = parse(text);
    if (result.ok) return result.value;
    context.addIssue({ code: "custom", message: result.problem });
    return z.NEVER;
  });
}

function listOf(describeWrongEntry: (entry: string) => string | undefined) {
  return setting((text) => {
    const entries = parseCommaList(text);
    if (!entries.ok) return entries;
    for (const [index, entry] of entries.value.entries()) {
      const wrong = describeWrongEntry(entry);
      if (wrong !== undefined) return problem(`entry ${index + 1} ${wrong}`);
    }
    return entries;
  });
}

// Secrets are never quoted back: a message may end up in a log or a ticket.
function describeWrongSecret(entry: string): string | undefined {
  return /\s/.test(entry) ? "contains whitespace; copy the value without spaces or line breaks" : undefined;
}

const SecretListSchema = listOf(describeWrongSecret);

const AppKeyListSchema = listOf((entry) =>
  /^[^#\s]+#[^#\s]+$/.test(entry)
    ? undefined
    : `("${entry.slice(0, 60)}") is not an app key of the form "org#app"; in a .env file, quote it: EASEMOB_APPKEY="org#app"`,
);

const SdkAppIdListSchema = listOf((entry) =>
  /^\d{1,20}$/.test(entry) ? undefined : `("${entry.slice(0, 30)}") is not an SdkAppid, which is a number such as 1400000000`,
);

const bearerTokenCharacters = /^[A-Za-z0-9\-._~+/]+=*$/;
const shortestBearerToken = 16;

// The characters of RFC 6750's token68, so that every token travels as `Authorization: Bearer`.
const BearerTokenListSchema = listOf((entry) => {
  const wrongSecret = describeWrongSecret(entry);
  if (wrongSecret !== undefined) return wrongSecret;
  if (!bearerTokenCharacters.test(entry)) {
    return "may hold only letters, digits and - . _ ~ + / (and = at the end), the characters of a bearer token; make one with `openssl rand -base64 32`";
  }
  if (entry.length < shortestBearerToken) return `is shorter than ${shortestBearerToken} characters; make one with \`openssl rand -base64 32\``;
  return undefined;
});

const SwitchSchema = z.enum(["on", "off"], { error: (issue) => `must be on or off (got "${String(issue.input).slice(0, 20)}")` });

/** A whole number from `least` to `most`. */
function wholeNumberParser(least: number, most: number, unit: string): (text: string) => Parsed<number> {
  return (text) => {
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= least && value <= most)) return problem(`must be a whole number${unit} from ${least} to ${most} (got "${text.slice(0, 20)}")`);
    return parsed(value);
  };
}

// A week leaves room for the window while Easemob resends the callbacks of its exception storage
// (kept three days); a window that never closes is refused.
const parseMaximumAgeSeconds = wholeNumberParser(1, 7 * 86_400, " of seconds");
const parseMaximumEventsPerCallback = wholeNumberParser(1, 100_000, "");
const parseMaximumClockSkewSeconds = wholeNumberParser(1, 3600, " of seconds");

const TokenSchema = setting((text) => {
  const wrong = describeWrongSecret(text);
  return wrong === undefined ? parsed(text) : problem(wrong);
});

// The rule of @friendhook/http; its messages never repeat the secret.
const WebhookSecretListSchema = listOf((entry) => {
  const checked = HttpSinkOptionsSchema.shape.secret.safeParse(entry);
  return checked.success ? undefined : `is not a Standard Webhooks secret: ${checked.error.issues[0]?.message ?? "invalid"}`;
});

const BooleanSchema = z
  .enum(["true", "false"], { error: (issue) => `must be true or false (got "${String(issue.input).slice(0, 20)}")` })
  .transform((text) => text === "true");

const OpenImAppIdSchema = z
  .string()
  .max(128, "must be at most 128 characters")
  .regex(/^\S+$/, "must not contain whitespace");

type DeliverySettingSchema = z.ZodOptional<ReturnType<typeof setting<number>>>;

/** Built from the table of delivery variables, so that the table stays their only list. */
function deliverySettingSchemas(): Record<DeliveryVariable, DeliverySettingSchema> {
  const entries = deliveryOptions.map((option) => [deliveryVariables[option], setting(deliverySettingParser(option)).optional()]);
  return Object.fromEntries(entries) as Record<DeliveryVariable, DeliverySettingSchema>;
}

const EnvironmentSchema = z.object({
  NODE_ENV: z
    .enum(runEnvironments, { error: (issue) => `must be one of ${runEnvironments.join(", ")} (got "${String(issue.input)}")` })
    .default("development"),
  HOST: z.string().optional(),
  PORT: setting(parsePort).default(3000),
  FRIENDHOOK_DATA_DIR: z.string().default("./data"),
  FRIENDHOOK_STORE: setting(parseStore).default({ kind: "sqlite" }),
  FRIENDHOOK_BODY_LIMIT: setting(parseByteSize).default(1024 * 1024),
  FRIENDHOOK_SINKS: setting(parseSinkList).default([{ kind: "console" }]),
  FRIENDHOOK_HTTP_SINK_SECRET: WebhookSecretListSchema.optional(),
  FRIENDHOOK_API: SwitchSchema.default("on"),
  FRIENDHOOK_API_TOKEN: BearerTokenListSchema.optional(),
  FRIENDHOOK_METRICS_TOKEN: BearerTokenListSchema.optional(),
  ...deliverySettingSchemas(),
  FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: setting(parseShutdownTimeout).optional(),
  FRIENDHOOK_OUTPUT_BUFFER: setting(parseOutputBuffer).optional(),
  FRIENDHOOK_RETENTION: setting(parseDuration).optional(),
  FRIENDHOOK_DEAD_LETTER_RETENTION: setting(parseDuration).optional(),
  FRIENDHOOK_DEDUPLICATION_WINDOW: setting(parseDuration).optional(),
  LOG_LEVEL: z
    .enum(logLevels, { error: (issue) => `must be one of ${logLevels.join(", ")} (got "${String(issue.input)}")` })
    .default("info"),
  EASEMOB_SECRET: SecretListSchema.optional(),
  EASEMOB_APPKEY: AppKeyListSchema.optional(),
  EASEMOB_MAXIMUM_AGE_SECONDS: setting(parseMaximumAgeSeconds).optional(),
  EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK: setting(parseMaximumEventsPerCallback).optional(),
  TENCENT_SDKAPPID: SdkAppIdListSchema.optional(),
  TENCENT_TOKEN: TokenSchema.optional(),
  TENCENT_ALLOW_UNAUTHENTICATED: BooleanSchema.optional(),
  TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS: setting(parseMaximumClockSkewSeconds).optional(),
  OPENIM_ENABLED: BooleanSchema.optional(),
  OPENIM_TOKEN: SecretListSchema.optional(),
  OPENIM_APP_ID: OpenImAppIdSchema.optional(),
  OPENIM_ALLOW_UNAUTHENTICATED: BooleanSchema.optional(),
});

type ParsedEnvironment = z.output<typeof EnvironmentSchema>;

/** Problems that involve more than one variable, or the run environment. */
function crossCheck(environment: ParsedEnvironment): string[] {
  const problems: string[] = [];
  if (environment.EASEMOB_APPKEY && !environment.EASEMOB_SECRET) {
    problems.push("EASEMOB_SECRET: is required when EASEMOB_APPKEY is set (the secret of the Easemob callback rule)");
  }
  for (const name of ["EASEMOB_MAXIMUM_AGE_SECONDS", "EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK"] as const) {
    if (environment[name] !== undefined && !environment.EASEMOB_SECRET) problems.push(`EASEMOB_SECRET: is required when ${name} is set`);
  }
  if (environment.TENCENT_TOKEN && !environment.TENCENT_SDKAPPID) {
    problems.push("TENCENT_SDKAPPID: is required when TENCENT_TOKEN is set");
  }
  for (const name of ["TENCENT_ALLOW_UNAUTHENTICATED", "TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS"] as const) {
    if (environment[name] !== undefined && !environment.TENCENT_SDKAPPID) problems.push(`TENCENT_SDKAPPID: is required when ${name} is set`);
  }
  if (environment.OPENIM_ENABLED === false && openImSettingsGiven(environment)) {
    problems.push("OPENIM_ENABLED: is false, but OPENIM_TOKEN or OPENIM_APP_ID is set; remove them, or set OPENIM_ENABLED=true");
  }
  if (environment.OPENIM_ALLOW_UNAUTHENTICATED !== undefined && !openImEnabled(environment)) {
    problems.push("OPENIM_ALLOW_UNAUTHENTICATED: is set, but OpenIM is not turned on; set OPENIM_ENABLED=true, or remove it");
  }
  problems.push(...unauthenticatedProviderProblems(environment));
  const anyProvider =
    environment.EASEMOB_SECRET ||
    environment.TENCENT_SDKAPPID ||
    environment.EASEMOB_APPKEY ||
    environment.EASEMOB_MAXIMUM_AGE_SECONDS !== undefined ||
    environment.EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK !== undefined ||
    environment.TENCENT_TOKEN ||
    environment.TENCENT_ALLOW_UNAUTHENTICATED !== undefined ||
    environment.TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS !== undefined ||
    environment.OPENIM_ALLOW_UNAUTHENTICATED !== undefined ||
    openImEnabled(environment);
  if (!anyProvider) {
    problems.push(
      "no provider is configured: set EASEMOB_SECRET (Easemob), TENCENT_SDKAPPID (Tencent IM), OPENIM_ENABLED=true (OpenIM), or several; to try friendhook with the public DEMO credentials instead, start with --demo (pnpm start)",
    );
  }
  problems.push(...apiProblems(environment));
  if (environment.FRIENDHOOK_SINKS.some((sink) => sink.kind === "http") && !environment.FRIENDHOOK_HTTP_SINK_SECRET) {
    problems.push(
      "FRIENDHOOK_HTTP_SINK_SECRET: is required for the http(s):// sinks of FRIENDHOOK_SINKS: the Standard Webhooks secret (whsec_…) the endpoint verifies",
    );
  }
  const backoffConflict = describeBackoffConflict(deliveryOf(environment));
  if (backoffConflict !== undefined) problems.push(backoffConflict);
  if (environment.NODE_ENV === "production") {
    if (environment.EASEMOB_SECRET?.includes(demoCredentials.easemobSecret)) {
      problems.push(
        "EASEMOB_SECRET: holds the public DEMO secret of .env.development, which production refuses; set the secret of your Easemob callback rule",
      );
    }
    if (environment.TENCENT_TOKEN === demoCredentials.tencentToken) {
      problems.push(
        "TENCENT_TOKEN: is the public DEMO token of .env.development, which production refuses; set the token of your Tencent IM callback",
      );
    }
    if (environment.OPENIM_TOKEN?.includes(demoCredentials.openImToken)) {
      problems.push("OPENIM_TOKEN: holds the public DEMO token of .env.development, which production refuses; choose a token of your own");
    }
  }
  return problems;
}

/**
 * A provider that authenticates nothing lets anyone who reaches its route write the friend table:
 * production refuses it unless the operator says, in so many words, that this is intended.
 */
function unauthenticatedProviderProblems(environment: ParsedEnvironment): string[] {
  const problems: string[] = [];
  const tencentOn = environment.TENCENT_SDKAPPID !== undefined;
  if (environment.TENCENT_ALLOW_UNAUTHENTICATED === true && environment.TENCENT_TOKEN) {
    problems.push("TENCENT_ALLOW_UNAUTHENTICATED: is true, but TENCENT_TOKEN is set and authenticates every callback; remove TENCENT_ALLOW_UNAUTHENTICATED");
  }
  if (environment.OPENIM_ALLOW_UNAUTHENTICATED === true && environment.OPENIM_TOKEN) {
    problems.push("OPENIM_ALLOW_UNAUTHENTICATED: is true, but OPENIM_TOKEN is set and authenticates every callback; remove OPENIM_ALLOW_UNAUTHENTICATED");
  }
  if (environment.NODE_ENV !== "production") return problems;
  if (tencentOn && !environment.TENCENT_TOKEN && environment.TENCENT_ALLOW_UNAUTHENTICATED !== true) {
    problems.push(
      "TENCENT_TOKEN: is required in production: without it Tencent callbacks are not authenticated, and whoever knows the SdkAppid can post friend events; turn on callback authentication in the Chat console and set its token here, or set TENCENT_ALLOW_UNAUTHENTICATED=true to accept unauthenticated callbacks",
    );
  }
  if (openImEnabled(environment) && !environment.OPENIM_TOKEN && environment.OPENIM_ALLOW_UNAUTHENTICATED !== true) {
    problems.push(
      "OPENIM_TOKEN: is required in production: OpenIM signs nothing, so without a token whoever reaches /webhooks/openim can post friend events; choose a token and put it in OpenIM's webhook URL (https://friendhook:TOKEN@your.host/webhooks/openim), or set OPENIM_ALLOW_UNAUTHENTICATED=true to accept unauthenticated callbacks",
    );
  }
  return problems;
}

/** The read API serves the friend table, friend-request messages and end users' IP addresses. */
function apiProblems(environment: ParsedEnvironment): string[] {
  if (environment.FRIENDHOOK_API === "off") {
    return environment.FRIENDHOOK_API_TOKEN
      ? ["FRIENDHOOK_API_TOKEN: is set, but FRIENDHOOK_API=off removes the read API it would protect; remove one of them"]
      : [];
  }
  if (environment.NODE_ENV === "production" && !environment.FRIENDHOOK_API_TOKEN) {
    return [
      "FRIENDHOOK_API_TOKEN: is required in production while the read API is on: /api/* serves the friend table, friend-request messages and end users' IP addresses; set a token (openssl rand -base64 32) that clients send as `Authorization: Bearer TOKEN`, or set FRIENDHOOK_API=off to serve the webhooks, /healthz and /metrics only",
    ];
  }
  return [];
}

/** The delivery options whose variables are set. */
function deliveryOf(environment: ParsedEnvironment): DeliveryOptions {
  const given = deliveryOptions.flatMap((option) => {
    const value = environment[deliveryVariables[option]];
    return value === undefined ? [] : [[option, value] as const];
  });
  return Object.fromEntries(given);
}

function openImSettingsGiven(environment: ParsedEnvironment): boolean {
  return environment.OPENIM_TOKEN !== undefined || environment.OPENIM_APP_ID !== undefined;
}

/** OpenIM has no secret of its own: it is turned on explicitly, or by giving one of its settings. */
function openImEnabled(environment: ParsedEnvironment): boolean {
  return environment.OPENIM_ENABLED ?? openImSettingsGiven(environment);
}

/** Blank values count as unset, as in `PORT=` in a compose file. */
function withoutBlankValues(variables: EnvironmentVariables): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (value !== undefined && value.trim() !== "") present[name] = value;
  }
  return present;
}

/**
 * Validates the environment variables and turns them into the app's configuration, or throws a
 * `ConfigurationError` listing every problem. Relative paths resolve against `workingDirectory`.
 */
export function parseConfiguration(variables: EnvironmentVariables, workingDirectory: string): Configuration {
  const result = EnvironmentSchema.safeParse(withoutBlankValues(variables));
  if (!result.success) {
    throw new ConfigurationError(result.error.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`));
  }
  const environment = result.data;
  const problems = crossCheck(environment);
  if (problems.length > 0) throw new ConfigurationError(problems);
  const delivery = deliveryOf(environment);
  return {
    environment: environment.NODE_ENV,
    host: environment.HOST,
    port: environment.PORT,
    dataDirectory: resolve(workingDirectory, environment.FRIENDHOOK_DATA_DIR),
    store: environment.FRIENDHOOK_STORE,
    bodyLimitBytes: environment.FRIENDHOOK_BODY_LIMIT,
    logLevel: environment.LOG_LEVEL,
    sinks: environment.FRIENDHOOK_SINKS,
    ...(environment.FRIENDHOOK_HTTP_SINK_SECRET && { httpSinkSecrets: environment.FRIENDHOOK_HTTP_SINK_SECRET }),
    ...(Object.keys(delivery).length > 0 && { delivery }),
    easemob: environment.EASEMOB_SECRET
      ? {
          secrets: environment.EASEMOB_SECRET,
          appKeys: environment.EASEMOB_APPKEY,
          ...(environment.EASEMOB_MAXIMUM_AGE_SECONDS !== undefined && { maximumAgeSeconds: environment.EASEMOB_MAXIMUM_AGE_SECONDS }),
          ...(environment.EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK !== undefined && {
            maximumEventsPerCallback: environment.EASEMOB_MAXIMUM_EVENTS_PER_CALLBACK,
          }),
        }
      : undefined,
    tencent: environment.TENCENT_SDKAPPID
      ? {
          sdkAppIds: environment.TENCENT_SDKAPPID,
          token: environment.TENCENT_TOKEN,
          ...(environment.TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS !== undefined && {
            maximumClockSkewSeconds: environment.TENCENT_MAXIMUM_CLOCK_SKEW_SECONDS,
          }),
        }
      : undefined,
    ...(openImEnabled(environment) && {
      openim: { appId: environment.OPENIM_APP_ID ?? defaultOpenImAppId, tokens: environment.OPENIM_TOKEN },
    }),
    api: environment.FRIENDHOOK_API === "on" ? { tokens: environment.FRIENDHOOK_API_TOKEN } : undefined,
    ...(environment.FRIENDHOOK_METRICS_TOKEN && { metricsTokens: environment.FRIENDHOOK_METRICS_TOKEN }),
    ...(environment.FRIENDHOOK_SHUTDOWN_TIMEOUT_MS !== undefined && { shutdownTimeoutMs: environment.FRIENDHOOK_SHUTDOWN_TIMEOUT_MS }),
    ...(environment.FRIENDHOOK_OUTPUT_BUFFER !== undefined && { outputBufferBytes: environment.FRIENDHOOK_OUTPUT_BUFFER }),
    ...(retentionOf(environment) && { retention: retentionOf(environment) }),
  };
}

/** True when any credential in use is one of the public DEMO ones. */
export function usesDemoCredentials(configuration: Configuration): boolean {
  return (
    (configuration.easemob?.secrets.includes(demoCredentials.easemobSecret) ?? false) ||
    configuration.tencent?.token === demoCredentials.tencentToken ||
    (configuration.openim?.tokens?.includes(demoCredentials.openImToken) ?? false)
  );
}

/** What the start-up log shows of the configuration: everything but the secrets. */
export function describeConfiguration(configuration: Configuration): Record<string, unknown> {
  const { easemob, tencent, openim, api } = configuration;
  return {
    environment: configuration.environment,
    store: describeStore(configuration.store ?? { kind: "sqlite" }, configuration.dataDirectory),
    bodyLimitBytes: configuration.bodyLimitBytes,
    sinks: configuration.sinks.map(describeSink),
    delivery: effectiveDelivery(configuration.delivery),
    easemob: easemob
      ? {
          secretCount: easemob.secrets.length,
          appKeys: easemob.appKeys ?? "any",
          maximumAgeSeconds: easemob.maximumAgeSeconds ?? "the adapter's default",
          maximumEventsPerCallback: easemob.maximumEventsPerCallback ?? "the adapter's default",
        }
      : "not configured",
    tencent: tencent
      ? {
          sdkAppIds: tencent.sdkAppIds,
          authenticated: tencent.token !== undefined,
          maximumClockSkewSeconds: tencent.maximumClockSkewSeconds ?? "the adapter's default",
        }
      : "not configured",
    openim: openim ? { appId: openim.appId, authenticated: openim.tokens !== undefined } : "not configured",
    api: api ? { authenticated: api.tokens !== undefined } : "off",
    metrics: { authenticated: configuration.metricsTokens !== undefined },
  };
}
