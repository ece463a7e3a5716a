import type { ProviderDescriptor } from "@friendhook/core";
import { type DestinationStream, type Logger, pino } from "pino";
import { prettyFactory } from "pino-pretty";
import type { LogLevel } from "./config/configuration";
import { defaultOutputBufferBytes } from "./config/process-settings";
import { providers as appProviders } from "./providers";
import { type DropReason, type StandardOutput, openStandardOutput } from "./standard-output";

/** The app's own credentials, as variables and as the configuration names them. */
const appSecretFields = [
  "FRIENDHOOK_HTTP_SINK_SECRET",
  "FRIENDHOOK_DECISION_SECRET",
  "FRIENDHOOK_API_TOKEN",
  "FRIENDHOOK_METRICS_TOKEN",
  "httpSinkSecrets",
  "metricsTokens",
  "tokens",
  "secret",
  "secrets",
  "token",
  "authorization",
];

/** Fields that hold secrets deeper still: in an adapter's options within the configuration, in a request's headers. */
const deepSecretFields = ["secret", "secrets", "token", "tokens", "authorization"];

/** A path to `field` below `parent`, bracketed when the name is not an identifier (`x-signature`). */
function member(parent: string, field: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(field)) return `${parent}[${JSON.stringify(field)}]`;
  return parent === "" ? field : `${parent}.${field}`;
}

/**
 * Paths pino masks wherever they appear, as a second line of defence: the app never logs a
 * configuration, a query string or a body, but a future log line must not be able to leak a
 * provider's secret variables or signature fields (Easemob's `security`, Tencent's `Sign`), the
 * HTTP sinks' webhook secrets or the read API's and metrics' bearer tokens either.
 */
export function redactedPaths(providers: readonly ProviderDescriptor[] = appProviders): string[] {
  const providerFields = providers.flatMap((descriptor) => [
    ...Object.entries(descriptor.variables).flatMap(([name, variable]) => (variable.secret ? [name] : [])),
    ...(descriptor.signatureFields ?? []),
  ]);
  const signatureFields = providers.flatMap((descriptor) => descriptor.signatureFields ?? []);
  const fields = [...new Set([...appSecretFields, ...providerFields])];
  const deepFields = [...new Set([...deepSecretFields, ...signatureFields])];
  return [
    ...fields.map((field) => member("", field)),
    ...fields.map((field) => member("*", field)),
    ...deepFields.flatMap((field) => [member("*.*", field), member("*.*.*", field)]),
  ];
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** One readable line per entry (pino-pretty) instead of one JSON object per line. */
  readonly pretty: boolean;
  /**
   * Where entries go: a `logDestination` over the app's standard output by default. Tests pass a
   * stream to read them; `pretty` applies to the default only.
   */
  readonly destination?: DestinationStream;
  /** The providers whose secrets are masked besides the app's own; the app's list by default. */
  readonly providers?: readonly ProviderDescriptor[];
}

/** The log's way into the standard output, counting the lines it could not write. */
export interface LogDestination extends DestinationStream {
  /** Log lines dropped since the start, by reason. */
  droppedLines(): Readonly<Record<DropReason, number>>;
}

/**
 * Entries as pino formats them (or pretty-printed) into `output`, which never blocks: a line that
 * does not fit is dropped and counted here, so that a log reader that stops or goes away stops
 * neither the log nor the receiver.
 */
export function logDestination(output: StandardOutput, options: { readonly pretty: boolean }): LogDestination {
  const prettify = options.pretty ? prettyFactory({ translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", singleLine: true }) : undefined;
  const dropped: Record<DropReason, number> = { buffer_full: 0, output_closed: 0 };
  return {
    write(line: string) {
      const reason = output.write(prettify ? prettify(line) : line);
      if (reason !== undefined) dropped[reason] += 1;
    },
    droppedLines: () => ({ ...dropped }),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ?? logDestination(openStandardOutput({ bufferBytes: defaultOutputBufferBytes }), { pretty: options.pretty });
  const settings = {
    level: options.level,
    redact: { paths: redactedPaths(options.providers), censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(settings, destination);
}
