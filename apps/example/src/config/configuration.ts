import { resolve } from "node:path";
import { HttpSinkOptionsSchema } from "@friendhook/http";
import { type ProviderDescriptor, describeWrongSecret, listVariable } from "@friendhook/core";
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
import {
  type DecisionConfiguration,
  decisionFallbacks,
  decisionProblems,
  decisionsOf,
  defaultDecisions,
  describeDecisions,
  parseDecisionTimeout,
  parseDecisionUrl,
} from "./decision-settings";
import type { EnvironmentVariables } from "./environment-files";
import { parseBodyBytesInFlight, parseOutputBuffer, parseShutdownTimeout } from "./process-settings";
import { type UnauthenticatedProvider, describeProviders, providerSettings, providerVariableSchemas } from "./provider-settings";
import { parseDuration, type RetentionConfiguration, retentionOf } from "./retention-settings";
import { type Parsed, parseByteSize, parsePort } from "./setting-parsers";
import { type SinkSpecification, describeSink, parseSinkList } from "./sink-specification";
import { type StoreSpecification, describeStore, parseStore } from "./store-specification";
import { providers as appProviders } from "../providers";

export const runEnvironments = ["development", "production", "test"] as const;
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type RunEnvironment = (typeof runEnvironments)[number];
export type LogLevel = (typeof logLevels)[number];

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
  /** Every provider the app offers, configured or not, as its adapter package describes it. */
  readonly providers: readonly ProviderDescriptor[];
  /**
   * The adapter options of each configured provider, by name. A provider without options answers
   * `provider_not_configured` on its webhook.
   */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** The configured providers that authenticate no callback (outside production, or allowed there): start-up warns. */
  readonly unauthenticatedProviders?: readonly UnauthenticatedProvider[];
  /** Present when a credential in use is one of the public DEMO ones. */
  readonly usesDemoCredentials?: true;
  /** The read and admin API (`/api/*`); absent when `FRIENDHOOK_API=off`, which removes its routes. */
  readonly api: ApiConfiguration | undefined;
  /** The most request-body bytes held at once across every callback; the receiver's default when absent. */
  readonly maximumBodyBytesInFlight?: number;
  /** The bearer tokens `/metrics` requires; open to whoever reaches it when absent. */
  readonly metricsTokens?: readonly string[];
  /** How long a shutdown may take; `defaultShutdownTimeoutMs` when absent. */
  readonly shutdownTimeoutMs?: number;
  /** The standard output kept while its reader is slower than the app; `defaultOutputBufferBytes` when absent. */
  readonly outputBufferBytes?: number;
  /** The retention settings given (see `retention-settings.ts`); absent when none is. */
  readonly retention?: Partial<RetentionConfiguration>;
  /** How pending friend requests are decided (see `decision-settings.ts`); the block rule alone when absent. */
  readonly decisions?: DecisionConfiguration;
}

function setting<Value>(parse: (text: string) => Parsed<Value>) {
  return z.string().transform((text, context) => {
    const result = parse(text);
    if (result.ok) return result.value;
    context.addIssue({ code: "custom", message: result.problem });
    return z.NEVER;
  });
}

const bearerTokenCharacters = /^[A-Za-z0-9\-._~+/]+=*$/;
const shortestBearerToken = 16;

// The characters of RFC 6750's token68, so that every token travels as `Authorization: Bearer`.
const BearerTokenListSchema = listVariable((entry) => {
  const wrongSecret = describeWrongSecret(entry);
  if (wrongSecret !== undefined) return wrongSecret;
  if (!bearerTokenCharacters.test(entry)) {
    return "may hold only letters, digits and - . _ ~ + / (and = at the end), the characters of a bearer token; make one with `openssl rand -base64 32`";
  }
  if (entry.length < shortestBearerToken) return `is shorter than ${shortestBearerToken} characters; make one with \`openssl rand -base64 32\``;
  return undefined;
});

const SwitchSchema = z.enum(["on", "off"], { error: (issue) => `must be on or off (got "${String(issue.input).slice(0, 20)}")` });

// The rule of @friendhook/http; its messages never repeat the secret.
const WebhookSecretListSchema = listVariable((entry) => {
  const checked = HttpSinkOptionsSchema.shape.secret.safeParse(entry);
  return checked.success ? undefined : `is not a Standard Webhooks secret: ${checked.error.issues[0]?.message ?? "invalid"}`;
});

type DeliverySettingSchema = z.ZodOptional<ReturnType<typeof setting<number>>>;

/** Built from the table of delivery variables, so that the table stays their only list. */
function deliverySettingSchemas(): Record<DeliveryVariable, DeliverySettingSchema> {
  const entries = deliveryOptions.map((option) => [deliveryVariables[option], setting(deliverySettingParser(option)).optional()]);
  return Object.fromEntries(entries) as Record<DeliveryVariable, DeliverySettingSchema>;
}

/** The app's own variables; each provider's come from its descriptor. */
const appVariableSchemas = {
  NODE_ENV: z
    .enum(runEnvironments, { error: (issue) => `must be one of ${runEnvironments.join(", ")} (got "${String(issue.input)}")` })
    .default("development"),
  HOST: z.string().optional(),
  PORT: setting(parsePort).default(3000),
  FRIENDHOOK_DATA_DIR: z.string().default("./data"),
  FRIENDHOOK_STORE: setting(parseStore).default({ kind: "sqlite" }),
  FRIENDHOOK_BODY_LIMIT: setting(parseByteSize).default(1024 * 1024),
  FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: setting(parseBodyBytesInFlight).optional(),
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
  FRIENDHOOK_DECISION_BLOCK_RULE: SwitchSchema.default("on"),
  FRIENDHOOK_DECISION_URL: setting(parseDecisionUrl).optional(),
  FRIENDHOOK_DECISION_SECRET: WebhookSecretListSchema.optional(),
  FRIENDHOOK_DECISION_TIMEOUT: setting(parseDecisionTimeout).optional(),
  FRIENDHOOK_DECISION_ON_TIMEOUT: z
    .enum(decisionFallbacks, { error: (issue) => `must be allow or deny (got "${String(issue.input).slice(0, 20)}")` })
    .optional(),
  LOG_LEVEL: z
    .enum(logLevels, { error: (issue) => `must be one of ${logLevels.join(", ")} (got "${String(issue.input)}")` })
    .default("info"),
};

type AppEnvironment = z.output<z.ZodObject<typeof appVariableSchemas>>;

/** The app's variables the operator may set, in the order their problems are listed. */
export const appVariables: readonly string[] = Object.keys(appVariableSchemas);

/** Problems of the app's own settings that involve more than one variable, or the run environment. */
function crossCheck(environment: AppEnvironment): string[] {
  const problems = [...apiProblems(environment)];
  if (environment.FRIENDHOOK_SINKS.some((sink) => sink.kind === "http") && !environment.FRIENDHOOK_HTTP_SINK_SECRET) {
    problems.push(
      "FRIENDHOOK_HTTP_SINK_SECRET: is required for the http(s):// sinks of FRIENDHOOK_SINKS: the Standard Webhooks secret (whsec_…) the endpoint verifies",
    );
  }
  problems.push(...decisionProblems(environment));
  const backoffConflict = describeBackoffConflict(deliveryOf(environment));
  if (backoffConflict !== undefined) problems.push(backoffConflict);
  const inFlight = environment.FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT;
  if (inFlight !== undefined && inFlight < environment.FRIENDHOOK_BODY_LIMIT) {
    problems.push(
      `FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT: is ${inFlight} bytes, less than FRIENDHOOK_BODY_LIMIT (${environment.FRIENDHOOK_BODY_LIMIT} bytes); a body of the limit could never be read`,
    );
  }
  return problems;
}

/** The read API serves the friend table, friend-request messages and end users' IP addresses. */
function apiProblems(environment: AppEnvironment): string[] {
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
function deliveryOf(environment: AppEnvironment): DeliveryOptions {
  const given = deliveryOptions.flatMap((option) => {
    const value = environment[deliveryVariables[option]];
    return value === undefined ? [] : [[option, value] as const];
  });
  return Object.fromEntries(given);
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
 * `providers` are the providers offered, each read from its own variables.
 */
export function parseConfiguration(
  variables: EnvironmentVariables,
  workingDirectory: string,
  providers: readonly ProviderDescriptor[] = appProviders,
): Configuration {
  const schema = z.object({ ...appVariableSchemas, ...providerVariableSchemas(providers, appVariables) });
  const result = schema.safeParse(withoutBlankValues(variables));
  if (!result.success) {
    throw new ConfigurationError(result.error.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`));
  }
  const environment = result.data as AppEnvironment & Record<string, unknown>;
  const production = environment.NODE_ENV === "production";
  const providerSetting = providerSettings(providers, environment, production);
  const problems = [...providerSetting.problems, ...crossCheck(environment), ...providerSetting.demoProblems];
  if (problems.length > 0) throw new ConfigurationError(problems);
  const delivery = deliveryOf(environment);
  return {
    environment: environment.NODE_ENV,
    host: environment.HOST,
    port: environment.PORT,
    dataDirectory: resolve(workingDirectory, environment.FRIENDHOOK_DATA_DIR),
    store: environment.FRIENDHOOK_STORE,
    bodyLimitBytes: environment.FRIENDHOOK_BODY_LIMIT,
    ...(environment.FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT !== undefined && {
      maximumBodyBytesInFlight: environment.FRIENDHOOK_MAXIMUM_BODY_BYTES_IN_FLIGHT,
    }),
    logLevel: environment.LOG_LEVEL,
    sinks: environment.FRIENDHOOK_SINKS,
    ...(environment.FRIENDHOOK_HTTP_SINK_SECRET && { httpSinkSecrets: environment.FRIENDHOOK_HTTP_SINK_SECRET }),
    ...(Object.keys(delivery).length > 0 && { delivery }),
    providers,
    providerOptions: providerSetting.options,
    ...(providerSetting.unauthenticated.length > 0 && { unauthenticatedProviders: providerSetting.unauthenticated }),
    ...(providerSetting.usesDemoCredentials && { usesDemoCredentials: true as const }),
    api: environment.FRIENDHOOK_API === "on" ? { tokens: environment.FRIENDHOOK_API_TOKEN } : undefined,
    ...(environment.FRIENDHOOK_METRICS_TOKEN && { metricsTokens: environment.FRIENDHOOK_METRICS_TOKEN }),
    ...(environment.FRIENDHOOK_SHUTDOWN_TIMEOUT_MS !== undefined && { shutdownTimeoutMs: environment.FRIENDHOOK_SHUTDOWN_TIMEOUT_MS }),
    ...(environment.FRIENDHOOK_OUTPUT_BUFFER !== undefined && { outputBufferBytes: environment.FRIENDHOOK_OUTPUT_BUFFER }),
    ...(retentionOf(environment) && { retention: retentionOf(environment) }),
    decisions: decisionsOf(environment),
  };
}

/** True when any credential in use is one of the public DEMO ones. */
export function usesDemoCredentials(configuration: Configuration): boolean {
  return configuration.usesDemoCredentials === true;
}

/** What the start-up log shows of the configuration: everything but the secrets. */
export function describeConfiguration(configuration: Configuration): Record<string, unknown> {
  const { api } = configuration;
  return {
    environment: configuration.environment,
    store: describeStore(configuration.store ?? { kind: "sqlite" }, configuration.dataDirectory),
    bodyLimitBytes: configuration.bodyLimitBytes,
    maximumBodyBytesInFlight: configuration.maximumBodyBytesInFlight ?? "the receiver's default",
    sinks: configuration.sinks.map(describeSink),
    delivery: effectiveDelivery(configuration.delivery),
    ...describeProviders(configuration.providers, configuration.providerOptions),
    api: api ? { authenticated: api.tokens !== undefined } : "off",
    metrics: { authenticated: configuration.metricsTokens !== undefined },
    decisions: describeDecisions(configuration.decisions ?? defaultDecisions),
  };
}
