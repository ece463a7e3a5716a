import { type Socket, createConnection, createServer } from "node:net";
import { listenAgainOn, listenOnStablePort } from "./listen";

export interface TcpProxyTarget {
  readonly host: string;
  readonly port: number;
}

export interface TcpProxy {
  /** The port on 127.0.0.1 that stands for the server: the same across `stop` and `start`. */
  readonly port: number;
  /** Stops listening and cuts every connection, requests in flight included, as a server crash would. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops listening and cuts every connection, at the end of a test. */
  close(): Promise<void>;
}

/** Joins two sockets both ways; when either ends or fails, both go. */
function pipeBothWays(client: Socket, upstream: Socket, sockets: Set<Socket>): void {
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A reset from either side is how a connection ends here; the other side is cut with it.
    socket.on("error", () => undefined);
  }
  client.once("close", () => upstream.destroy());
  upstream.once("close", () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (Redis, NATS, PostgreSQL…), so that a test
 * can take the server away from a client and bring it back without touching the server itself,
 * which other tests go on using.
 */
export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    pipeBothWays(client, createConnection(target), sockets);
  });
  const port = await listenOnStablePort(server);
  let listening = true;

  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    port,
    stop,
    async start() {
      if (listening) return;
      await listenAgainOn(server, port);
      listening = true;
    },
    close: stop,
  };
}
