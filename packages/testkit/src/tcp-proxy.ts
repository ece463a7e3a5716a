import { type AddressInfo, type Server, type Socket, createConnection, createServer } from "node:net";

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

/** Listens on `port` of 127.0.0.1 (0 for any free one) and answers the port. */
function listenOn(server: Server, port: number): Promise<number> {
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
 * a port of that range could be taken while the proxy is stopped, and `start` would fail.
 */
const stablePorts = { first: 20_000, last: 32_767 };

function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "EADDRINUSE" || code === "EACCES";
}

/** Listens on a free port outside the ephemeral range, chosen at random; on any free port if none is found. */
async function listenOnStablePort(server: Server): Promise<number> {
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

/** Listens on `port` again; while another socket holds it, tries again until a deadline. */
async function listenAgain(server: Server, port: number, deadlineMs = 30_000): Promise<void> {
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
      await listenAgain(server, port);
      listening = true;
    },
    close: stop,
  };
}
