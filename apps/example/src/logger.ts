import { type DestinationStream, type Logger, pino } from "pino";
import { prettyFactory } from "pino-pretty";
import type { LogLevel } from "./config/configuration";
import { defaultOutputBufferBytes } from "./config/process-settings";
import { type DropReason, type StandardOutput, openStandardOutput } from "./standard-output";

/**
 * Paths pino masks wherever they appear, as a second line of defence: the app never logs a
 * configuration, a query string or a body, but a future log line must not be able to leak the
 * Easemob secret (and its `security` signature), the Tencent token (and its `Sign`), the OpenIM
 * tokens, the HTTP sinks' webhook secrets or the read API's and metrics' bearer tokens either.
 */
export const redactedPaths = [
  "EASEMOB_SECRET",
  "TENCENT_TOKEN",
  "OPENIM_TOKEN",
  "FRIENDHOOK_HTTP_SINK_SECRET",
  "FRIENDHOOK_API_TOKEN",
  "FRIENDHOOK_METRICS_TOKEN",
  "httpSinkSecrets",
  "metricsTokens",
  "tokens",
  "secret",
  "secrets",
  "token",
  "security",
  "Sign",
  "authorization",
  "*.EASEMOB_SECRET",
  "*.TENCENT_TOKEN",
  "*.OPENIM_TOKEN",
  "*.FRIENDHOOK_HTTP_SINK_SECRET",
  "*.FRIENDHOOK_API_TOKEN",
  "*.FRIENDHOOK_METRICS_TOKEN",
  "*.httpSinkSecrets",
  "*.metricsTokens",
  "*.tokens",
  "*.secret",
  "*.secrets",
  "*.token",
  "*.security",
  "*.Sign",
  "*.authorization",
  "*.*.tokens",
  "*.*.security",
  "*.*.Sign",
  "*.*.authorization",
];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** One readable line per entry (pino-pretty) instead of one JSON object per line. */
  readonly pretty: boolean;
  /**
   * Where entries go: a `logDestination` over the app's standard output by default. Tests pass a
   * stream to read them; `pretty` applies to the default only.
   */
  readonly destination?: DestinationStream;
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
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(settings, destination);
}
