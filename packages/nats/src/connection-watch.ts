import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Whether a connection is up, and a way to hear when it goes down. The client empties its outbound
 * buffer on every reconnect attempt, so a message published while the connection is down is thrown
 * away without an error: its acknowledgement only times out. Knowing the state lets the sink refuse
 * such a publish at once (the receiver's backoff retries it) instead of waiting for that timeout.
 */
export interface ConnectionWatch {
  readonly connected: boolean;
  /** Rejects when the connection is next lost; `stop` ends the wait. */
  untilDisconnected(): { readonly lost: Promise<never>; readonly stop: () => void };
  /** Stops listening to the connection, which may be the application's and outlive the sink. */
  close(): void;
}

const downStatuses = new Set(["disconnect", "reconnecting", "staleConnection", "forceReconnect", "close"]);

export function watchConnection(connection: NatsConnection): ConnectionWatch {
  let connected = !connection.isClosed();
  const listeners = new Set<() => void>();

  const statuses = connection.status();
  void (async () => {
    for await (const status of statuses) {
      if (status.type === "reconnect") connected = true;
      else if (downStatuses.has(status.type)) {
        connected = false;
        for (const listener of listeners) listener();
      }
    }
  })();

  return {
    get connected() {
      return connected && !connection.isClosed();
    },
    untilDisconnected() {
      let listener: (() => void) | undefined;
      const lost = new Promise<never>((_resolve, reject) => {
        listener = () => reject(new Error("the connection to the NATS server was lost during the publish"));
        listeners.add(listener);
      });
      // A rejection nobody awaits (the publish won the race) must not surface as unhandled.
      lost.catch(() => undefined);
      return {
        lost,
        stop: () => {
          if (listener) listeners.delete(listener);
        },
      };
    },
    close() {
      // The client's status iterator has `stop`, though its type only promises iteration.
      (statuses as Partial<{ stop(): void }>).stop?.();
      listeners.clear();
    },
  };
}
