import type { Server } from "node:http";
import type { Logger } from "pino";

export interface ShutdownOptions {
  readonly server: Server;
  /** Closes what sits behind the server (the receiver, its sinks and its store). */
  readonly closeApp: () => Promise<void>;
  readonly logger: Logger;
  /** How long in-flight requests may take before their connections are cut. */
  readonly graceMs: number;
}

/**
 * Stops accepting connections, lets the requests in flight finish (cutting them after `graceMs`),
 * then closes the app so that the store is flushed and closed.
 */
export async function shutDown({ server, closeApp, logger, graceMs }: ShutdownOptions): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request in flight would otherwise hold `close` open.
  server.closeIdleConnections();
  const grace = setTimeout(() => {
    logger.warn({ graceMs }, "requests still in flight after the grace period; closing their connections");
    server.closeAllConnections();
  }, graceMs);
  await serverClosed;
  clearTimeout(grace);
  await closeApp();
}

/**
 * Ends the process once the event loop is empty, so that pending output is written first; a
 * handle that would keep it alive (none should) cannot hold the exit for more than a second.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
}

/**
 * On the first SIGTERM or SIGINT, shuts down and exits 0 (1 when closing failed); a second signal
 * exits at once.
 */
export function shutDownOnSignals(options: ShutdownOptions): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    shuttingDown = true;
    options.logger.info({ signal }, "shutting down");
    shutDown(options).then(
      () => {
        options.logger.info("stopped");
        exitSoon(0);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, "shutdown failed");
        exitSoon(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
