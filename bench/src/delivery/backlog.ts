import { createReceiver } from "@friendhook/receiver";
import { createSqliteStore } from "@friendhook/sqlite";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { benchAdapters } from "../http/servers/bench-adapters";
import { benchCredentials, tencentCallbackPath } from "../payloads/bench-credentials";

export interface BacklogSettings {
  /** The SQLite store's directory and file. */
  readonly directory: string;
  readonly filename: string;
  /** Events in all; a multiple of `pairsPerCallback`. */
  readonly events: number;
  readonly pairsPerCallback: number;
  /** Distinct user pairs the events fall on: each pair gets `events / pairs` events, in order. */
  readonly pairs: number;
  /** The sinks every event gets a delivery for (by name). */
  readonly sinkNames: readonly string[];
}

export interface BacklogResult {
  readonly events: number;
  readonly callbacks: number;
  readonly seconds: number;
}

/** Callbacks received at once while the backlog is stored, as a provider's senders would. */
const concurrentCallbacks = 4;

/**
 * Stores a backlog as a provider would leave one after an outage: signed Tencent
 * `Sns.CallbackFriendAdd` callbacks, each with `pairsPerCallback` pairs, through a receiver and its
 * SQLite store, delivery not started. The sinks only give their names here (nothing is delivered).
 */
export async function storeBacklog(settings: BacklogSettings): Promise<BacklogResult> {
  const store = createSqliteStore({ directory: settings.directory, filename: settings.filename });
  const sinks = settings.sinkNames.map((name) => ({
    name,
    idempotent: true,
    deliver: async () => {
      throw new Error("delivery is not started while the backlog is stored");
    },
  }));
  const receiver = createReceiver({ adapters: benchAdapters(), store, sinks });
  // A pair twice in one callback would be one event (the same id): every callback's pairs differ.
  if (settings.pairs < settings.pairsPerCallback) throw new Error(`the backlog needs at least ${settings.pairsPerCallback} user pairs`);
  const callbacks = Math.ceil(settings.events / settings.pairsPerCallback);
  const startedAt = performance.now();
  let next = 0;
  const send = async () => {
    while (next < callbacks) {
      const index = next;
      next += 1;
      const pairs = Array.from({ length: settings.pairsPerCallback }, (_, position) => {
        const pair = (index * settings.pairsPerCallback + position) % settings.pairs;
        return { fromAccount: `user_${String(pair).padStart(7, "0")}`, toAccount: `user_${String(pair + 5_000_000).padStart(7, "0")}` };
      });
      const request = buildTencentCallback({
        sdkAppId: benchCredentials.tencentSdkAppId,
        token: benchCredentials.tencentToken,
        path: tencentCallbackPath,
        body: tencentCallbackBodies.friendAdd({ pairs, requestId: `backlog-${index}`, clientIp: "127.0.0.1", optPlatform: "iOS" }),
      });
      const response = await receiver.handle("tencent", request);
      if (response.status !== 200) throw new Error(`storing the backlog: callback ${index} was answered ${response.status}: ${response.body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrentCallbacks }, send));
  const seconds = (performance.now() - startedAt) / 1000;
  await receiver.close();
  return { events: callbacks * settings.pairsPerCallback, callbacks, seconds };
}
