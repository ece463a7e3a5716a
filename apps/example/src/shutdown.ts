import type { Server } from "node:http";
import type { DeliveryCounts } from "@friendhook/core";
import type { Logger } from "pino";
import type { StandardOutput } from "./standard-output";

export interface ShutdownOptions {
  readonly server: Server;
  /** Closes what sits behind the server (the receiver, its sinks and its store). */
  readonly closeApp: () => Promise<void>;
  readonly logger: Logger;
  /** The time the whole shutdown may take: the requests in flight get half of it at most, closing the app the rest. */
  readonly timeoutMs: number;
  /** How many requests are being answered (`countOpenRequests`), for the log when some are cut. */
  readonly openRequests?: () => number;
  /** The deliveries waiting in the store, for the log when closing the app is abandoned. */
  readonly pendingDeliveries?: () => Promise<readonly DeliveryCounts[]>;
}

export interface ShutdownOutcome {
  /** False when closing the app was abandoned at the timeout (and logged). */
  readonly completed: boolean;
}

/**
 * True when `work` settles within `milliseconds`, false otherwise; a rejection within the time
 * passes through, a later one is left to the abandoned work.
 */
async function settlesWithin(work: Promise<unknown>, milliseconds: number): Promise<boolean> {
  const finished = work.then(() => true);
  finished.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, milliseconds));
  });
  try {
    return await Promise.race([finished, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pending deliveries per sink, or undefined when the store cannot say so within `milliseconds`. */
async function pendingPerSink(read: ShutdownOptions["pendingDeliveries"], milliseconds: number): Promise<Record<string, number> | undefined> {
  if (read === undefined) return undefined;
  const reading = read().then((counts) => Object.fromEntries(counts.map((count) => [count.sink, count.pending])));
  return (await settlesWithin(reading, milliseconds).catch(() => false)) ? reading : undefined;
}

/**
 * Stops accepting connections, lets the requests in flight finish, then closes the app (the
 * callbacks being stored, the delivery batch in hand, the sinks, the store), all within
 * `timeoutMs`. Requests still open at half of it have their connections cut; a close still running
 * at the end is abandoned. Either is logged with what it leaves. Nothing acknowledged is lost by it:
 * a callback is answered only once its events are stored, and an abandoned delivery stays pending
 * in the store, delivered again once its lease runs out. A cut request was not acknowledged; not
 * every provider sends it again, which is why requests get the first half of the time.
 */
export async function shutDown(options: ShutdownOptions): Promise<ShutdownOutcome> {
  const { server, closeApp, logger, timeoutMs } = options;
  const deadline = performance.now() + timeoutMs;
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request in flight would otherwise hold `close` open.
  server.closeIdleConnections();
  if (!(await settlesWithin(serverClosed, timeoutMs / 2))) {
    logger.warn(
      { openRequests: options.openRequests?.(), waitedMs: Math.round(timeoutMs / 2) },
      "requests still in flight at half the shutdown timeout: their connections are cut, unanswered (Easemob sends a callback once more; Tencent and OpenIM do not)",
    );
    server.closeAllConnections();
  }
  // A moment at the end is kept for saying what is left.
  const reportMs = Math.min(250, timeoutMs / 10);
  if (await settlesWithin(closeApp(), deadline - reportMs - performance.now())) return { completed: true };
  logger.error(
    {
      waitedMs: Math.round(timeoutMs - (deadline - performance.now())),
      openRequests: options.openRequests?.(),
      pendingDeliveries: await pendingPerSink(options.pendingDeliveries, reportMs),
    },
    "the shutdown timeout ran out while closing the receiver: abandoning the callbacks still being stored (unanswered) and the delivery batches in hand (they stay pending in the store, delivered again once their lease runs out)",
  );
  return { completed: false };
}

export interface SignalShutdownOptions extends ShutdownOptions {
  /** Written out before the exit, within the timeout, so that the last log lines reach the reader. */
  readonly output?: StandardOutput;
}

/**
 * The last tenth of the timeout, a second at most, is kept for writing the last log lines, but for
 * a moment left to the process to exit in.
 */
function outputShareOf(timeoutMs: number): { readonly outputMs: number; readonly exitMs: number } {
  const outputMs = Math.min(1000, timeoutMs / 10);
  return { outputMs, exitMs: Math.min(100, outputMs / 2) };
}

/**
 * On the first SIGTERM or SIGINT, shuts down and exits within `timeoutMs`: with 0 once everything
 * is closed, with 1 when closing failed or was abandoned. A second signal exits at once.
 */
export function shutDownOnSignals(options: SignalShutdownOptions): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    shuttingDown = true;
    const signalledAt = performance.now();
    const { outputMs, exitMs } = outputShareOf(options.timeoutMs);
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, "shutting down");
    void shutDown({ ...options, timeoutMs: options.timeoutMs - outputMs })
      .then(
        (outcome) => {
          options.logger.info(outcome.completed ? "stopped" : "stopped, leaving what the timeout cut short");
          return outcome.completed ? 0 : 1;
        },
        (error: unknown) => {
          options.logger.error({ err: error }, "shutdown failed");
          return 1;
        },
      )
      .then(async (code) => {
        await options.output?.end(options.timeoutMs - exitMs - (performance.now() - signalledAt));
        process.exit(code);
      });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
