import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChildMessage, ParentMessage } from "./server-child-protocol";

export interface BenchmarkServer {
  readonly server: Server;
  /** Releases what the server holds besides its socket (a store, a database pool). */
  readonly close?: () => Promise<void>;
  /** Deliveries still to make, for a server with sinks; none when absent. */
  readonly backlog?: () => Promise<number>;
}

/** Thrown while building a server that cannot run here; the parent reports the target as not available. */
export class TargetUnavailable extends Error {
  override readonly name = "TargetUnavailable";
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The child side of a benchmark server: listens on an ephemeral port of 127.0.0.1, tells the parent
 * which, answers its memory questions, and shuts down cleanly when told to (or when the parent dies).
 */
export async function serveInChild(build: () => BenchmarkServer | Promise<BenchmarkServer>): Promise<void> {
  let built: BenchmarkServer;
  try {
    built = await build();
  } catch (error) {
    if (!(error instanceof TargetUnavailable)) throw error;
    send({ type: "unavailable", reason: error.message });
    process.disconnect?.();
    return;
  }
  const { server, close, backlog } = built;
  // Keep-alive connections from the load generator must outlive its pauses between rounds.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await closeServer(server);
      await close?.();
      send({ type: "stopped" });
      process.disconnect?.();
      process.exit(0);
    })();
    return stopping;
  };
  process.on("message", (message: ParentMessage) => {
    if (message.type === "memory") {
      const usage = process.memoryUsage();
      send({ type: "memory", residentBytes: usage.rss, heapUsedBytes: usage.heapUsed });
    }
    if (message.type === "backlog") {
      void (backlog?.() ?? Promise.resolve(0)).then(
        (pending) => send({ type: "backlog", pending }),
        () => send({ type: "backlog", pending: 0 }),
      );
    }
    if (message.type === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", port: (server.address() as AddressInfo).port });
}
