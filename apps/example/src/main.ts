import { createServer } from "node:http";
import { demoUseOf } from "./config/command-line";
import { type Configuration, describeConfiguration, usesDemoCredentials } from "./config/configuration";
import { ConfigurationError } from "./config/configuration-error";
import { loadConfiguration } from "./config/load-configuration";
import { defaultOutputBufferBytes, defaultShutdownTimeoutMs } from "./config/process-settings";
import { createApp } from "./create-app";
import { limitHeapGrowth } from "./heap-growth";
import { createLogger, logDestination } from "./logger";
import { countOpenRequests, listen, localUrlOf } from "./serve";
import { shutDownOnSignals } from "./shutdown";
import { consoleLineWriter } from "./sinks-from-config";
import { openStandardOutput } from "./standard-output";

/** Start-up failures are the operator's to fix: one clear line, exit code 1, no stack trace. */
function exitWith(message: string): never {
  process.stderr.write(`friendhook: ${message}\n`);
  process.exit(1);
}

/** How long a failed start-up waits for its log lines to be written, so that its last line is the reason. */
const startupFailureOutputMs = 1000;

function describeStartupFailure(error: unknown, configuration: Configuration): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${configuration.port} is already in use; stop the other process or set PORT`;
  if (code === "EACCES" && (error as { syscall?: string }).syscall === "listen") {
    return `port ${configuration.port} may not be opened by this user; set PORT to 1024 or above`;
  }
  return `cannot start: ${error instanceof Error ? error.message : String(error)}`;
}

async function main(): Promise<void> {
  // Before the heap grows: a resident size that stays level suits a service beside others.
  limitHeapGrowth();
  let loaded: ReturnType<typeof loadConfiguration>;
  try {
    loaded = loadConfiguration(process.cwd(), process.env, demoUseOf(process.argv.slice(2)));
  } catch (error) {
    if (error instanceof ConfigurationError) exitWith(error.message);
    throw error;
  }
  const { configuration, filesRead } = loaded;
  const shutdownTimeoutMs = configuration.shutdownTimeoutMs ?? defaultShutdownTimeoutMs;
  const outputBufferBytes = configuration.outputBufferBytes ?? defaultOutputBufferBytes;
  // The log and the console sink share one standard output that never blocks: a reader that stops
  // or goes away costs lines, counted, never the receiver.
  const output = openStandardOutput({ bufferBytes: outputBufferBytes });
  const pretty = configuration.environment !== "production";
  const logLines = logDestination(output, { pretty });
  const logger = createLogger({ level: configuration.logLevel, pretty, destination: logLines, providers: configuration.providers });
  try {
    if (usesDemoCredentials(configuration)) {
      logger.warn("using the public DEMO credentials of .env.development: fine for trying friendhook, refused in production");
    }
    for (const { title, variable, allowUnauthenticatedVariable } of configuration.unauthenticatedProviders ?? []) {
      logger.warn(`${variable} is not set: ${title} callbacks are not authenticated; production refuses this unless ${allowUnauthenticatedVariable}=true`);
    }
    const application = createApp(configuration, { logger, writeLine: consoleLineWriter(output) });
    application.metrics.watchDroppedLogLines(logLines.droppedLines);
    // A store that cannot be reached (a PostgreSQL server down, a wrong password) stops the start-up.
    await application.ready().catch((error: unknown) => {
      throw new Error(`the store cannot be used: ${error instanceof Error ? error.message : String(error)}`);
    });
    const server = createServer(application.app);
    // Before the port opens: a SIGTERM sent as soon as the app says it listens must find the
    // graceful shutdown in place, not Node's default of ending the process on the spot.
    shutDownOnSignals({
      server,
      closeApp: application.close,
      logger,
      timeoutMs: shutdownTimeoutMs,
      openRequests: countOpenRequests(server),
      pendingDeliveries: () => application.readApi.deliveryCounts(),
      output,
    });
    await listen(server, configuration.port, configuration.host);
    // The last start-up line: whoever waits for the app to be ready waits for this one.
    logger.info(
      { url: localUrlOf(server), filesRead, ...describeConfiguration(configuration), shutdownTimeoutMs, outputBufferBytes },
      "friendhook is listening",
    );
  } catch (error) {
    await output.end(startupFailureOutputMs);
    exitWith(describeStartupFailure(error, configuration));
  }
}

await main();
