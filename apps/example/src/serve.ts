import type { Server, ServerResponse } from "node:http";
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

/** Counts the requests being answered: read at a shutdown, to say how many it had to cut. */
export function countOpenRequests(server: Server): () => number {
  let open = 0;
  server.on("request", (_request, response: ServerResponse) => {
    open += 1;
    // `close` comes once, whether the answer was sent or the connection cut.
    response.once("close", () => {
      open -= 1;
    });
  });
  return () => open;
}
