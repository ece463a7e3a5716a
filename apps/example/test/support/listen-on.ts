import type { AddressInfo, Server } from "node:net";

/** Listens on `port` of 127.0.0.1 (0 for any free port) and answers the port; the same port again after a stop. */
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
 * Listens on `port` again after a stop. The system may have given the port to another socket
 * meanwhile (an outgoing connection of another process on a busy machine): try again until it is
 * free, up to `deadlineMs`.
 */
export async function listenAgainOn(server: Server, port: number, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await listenOn(server, port);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
