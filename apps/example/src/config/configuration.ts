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
}

export interface TencentConfiguration {
  readonly sdkAppIds: readonly string[];
  /** The callback authentication token; callbacks are not authenticated without it. */
  readonly token: string | undefined;
}

export interface OpenImConfiguration {
  /** The `appId` of OpenIM's events: OpenIM names no app, so this names the deployment. */
  readonly appId: string;
  /** Tokens a callback must present (Basic password or Bearer); callbacks are not authenticated without. */
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
  ...deliverySettingSchemas(),
  LOG_LEVEL: z
    .enum(logLevels, { error: (issue) => `must be one of ${logLevels.join(", ")} (got "${String(issue.input)}")` })
    .default("info"),
  EASEMOB_SECRET: SecretListSchema.optional(),
  EASEMOB_APPKEY: AppKeyListSchema.optional(),
  TENCENT_SDKAPPID: SdkAppIdListSchema.optional(),
  TENCENT_TOKEN: TokenSchema.optional(),
  OPENIM_ENABLED: BooleanSchema.optional(),
  OPENIM_TOKEN: SecretListSchema.optional(),
  OPENIM_APP_ID: OpenImAppIdSchema.optional(),
});

type ParsedEnvironment = z.output<typeof EnvironmentSchema>;

/** Problems that involve more than one variable, or the run environment. */
function crossCheck(environment: ParsedEnvironment): string[] {
  const problems: string[] = [];
  if (environment.EASEMOB_APPKEY && !environment.EASEMOB_SECRET) {
    problems.push("EASEMOB_SECRET: is required when EASEMOB_APPKEY is set (the secret of the Easemob callback rule)");
  }
  if (environment.TENCENT_TOKEN && !environment.TENCENT_SDKAPPID) {
    problems.push("TENCENT_SDKAPPID: is required when TENCENT_TOKEN is set");
  }
  if (environment.OPENIM_ENABLED === false && openImSettingsGiven(environment)) {
    problems.push("OPENIM_ENABLED: is false, but OPENIM_TOKEN or OPENIM_APP_ID is set; remove them, or set OPENIM_ENABLED=true");
  }
  const anyProvider =
    environment.EASEMOB_SECRET || environment.TENCENT_SDKAPPID || environment.EASEMOB_APPKEY || environment.TENCENT_TOKEN || openImEnabled(environment);
  if (!anyProvider) {
    problems.push(
      "no provider is configured: set EASEMOB_SECRET (Easemob), TENCENT_SDKAPPID (Tencent IM), OPENIM_ENABLED=true (OpenIM), or several; outside production, .env.development provides DEMO values",
    );
  }
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
      ? { secrets: environment.EASEMOB_SECRET, appKeys: environment.EASEMOB_APPKEY }
      : undefined,
    tencent: environment.TENCENT_SDKAPPID
      ? { sdkAppIds: environment.TENCENT_SDKAPPID, token: environment.TENCENT_TOKEN }
      : undefined,
    ...(openImEnabled(environment) && {
      openim: { appId: environment.OPENIM_APP_ID ?? defaultOpenImAppId, tokens: environment.OPENIM_TOKEN },
    }),
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
  const { easemob, tencent, openim } = configuration;
  return {
    environment: configuration.environment,
    store: describeStore(configuration.store ?? { kind: "sqlite" }, configuration.dataDirectory),
    bodyLimitBytes: configuration.bodyLimitBytes,
    sinks: configuration.sinks.map(describeSink),
    delivery: effectiveDelivery(configuration.delivery),
    easemob: easemob ? { secretCount: easemob.secrets.length, appKeys: easemob.appKeys ?? "any" } : "not configured",
    tencent: tencent ? { sdkAppIds: tencent.sdkAppIds, authenticated: tencent.token !== undefined } : "not configured",
    openim: openim ? { appId: openim.appId, authenticated: openim.tokens !== undefined } : "not configured",
  };
}
