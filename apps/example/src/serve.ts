import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

/** Listens, and resolves once the port is bound (or rejects with the bind error, e.g. EADDRINUSE). */
export function listen(app: Express, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
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
