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
