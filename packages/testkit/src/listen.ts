import type { AddressInfo, Server } from "node:net";

/** Listens on `port` of 127.0.0.1 (0 for any free one) and answers the port. */
export function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Ports below every system's ephemeral range (Linux's starts at 32768, macOS's and Windows' at
 * 49152). The system gives ephemeral ports to other sockets, other processes' connections included:
 * a port of that range could be taken while a test server is stopped, and could not be had again.
 */
const stablePorts = { first: 20_000, last: 32_767 };

function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "EADDRINUSE" || code === "EACCES";
}

/**
 * Listens on a free port of 127.0.0.1 outside the ephemeral range, chosen at random (on any free
 * port if none is found), and answers it: for a server a test stops and starts again on its port.
 */
export async function listenOnStablePort(server: Server): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = stablePorts.first + Math.floor(Math.random() * (stablePorts.last - stablePorts.first + 1));
    try {
      return await listenOn(server, port);
    } catch (error) {
      if (!isTaken(error)) throw error;
    }
  }
  return listenOn(server, 0);
}

/**
 * Listens on `port` again after a stop. Another socket may hold it meanwhile (on a busy machine, an
 * outgoing connection of another process given an ephemeral port): tries again every 50 ms until
 * `deadlineMs` has passed.
 */
export async function listenAgainOn(server: Server, port: number, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await listenOn(server, port);
      return;
    } catch (error) {
      if (!isTaken(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
