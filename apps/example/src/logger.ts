import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "./config/configuration";

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
  /** Where entries go; standard output by default. Tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  // Synchronous writes, so that the last lines before an exit are not lost.
  const destination =
    options.destination ??
    (options.pretty ? pretty({ translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", singleLine: true, sync: true }) : undefined);
  const settings = {
    level: options.level,
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(settings, destination) : pino(settings);
}
