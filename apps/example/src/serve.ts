import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Listens, and resolves once the port is bound (or rejects with the bind error, e.g. EADDRINUSE). */
export function listen(server: Server, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("listening", () => {
      server.off("error", reject);
      resolve(server);
    });
    server.once("error", reject);
    server.listen({ port, ...(host === undefined ? {} : { host }) });
  });
}

/** `http://127.0.0.1:3000`: the address a local client reaches the server at. */
export function localUrlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? (address.address === "::" ? "127.0.0.1" : `[${address.address}]`) : address.address;
  return `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
}
