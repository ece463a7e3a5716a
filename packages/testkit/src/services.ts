import { createConnection, createServer } from "node:net";
import { describe, it } from "vitest";

export interface ServiceOptions {
  /** Where the service listens; 127.0.0.1 by default. */
  readonly host?: string;
  /** How long to wait for the TCP handshake; 2 seconds by default. */
  readonly timeoutMs?: number;
}

/** Whether something accepts TCP connections at `host:port`. Never throws. */
export function serviceAvailable(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (available: boolean) => {
      socket.destroy();
      resolve(available);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** True when `FRIENDHOOK_REQUIRE_SERVICES=1`: an unreachable service is then a failure, not a skip. */
export function servicesRequired(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment.FRIENDHOOK_REQUIRE_SERVICES === "1";
}

/**
 * A `describe` block for tests that need a real server. When nothing listens at the service's
 * address, the block is skipped with a visible message, or fails when `FRIENDHOOK_REQUIRE_SERVICES=1`
 * (CI), so that a missing service can never pass for a green run.
 */
export function describeWithService(
  name: string,
  port: number,
  define: () => void,
  options: ServiceOptions = {},
): void {
  const host = options.host ?? "127.0.0.1";
  describe(name, async () => {
    if (await serviceAvailable(host, port, options.timeoutMs)) {
      define();
      return;
    }
    const message = `${name} is unreachable at ${host}:${port}`;
    if (servicesRequired()) {
      it(`${name} is reachable (FRIENDHOOK_REQUIRE_SERVICES=1)`, () => {
        throw new Error(`${message}; start it, or unset FRIENDHOOK_REQUIRE_SERVICES to skip these tests.`);
      });
      return;
    }
    console.warn(`[friendhook] SKIPPED: ${message}. Set FRIENDHOOK_REQUIRE_SERVICES=1 to fail instead.`);
    it.skip(`SKIPPED: ${message}`, () => undefined);
  });
}

/**
 * A local TCP port that nothing listens on right now: for sinks that must fail to connect.
 * The operating system picks it, so it does not collide with other tests.
 */
export function unusedLocalPort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("The operating system gave no port."));
      });
    });
  });
}
