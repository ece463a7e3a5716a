import { createConnection, createServer } from "node:net";

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
