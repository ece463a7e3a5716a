import type { FriendEventSink, FriendEventStore } from "@friendhook/core";
import { type DeliveryOptions, type ReadApi, type Receiver, createReadApi, createReceiver } from "@friendhook/receiver";
import express, { type Express } from "express";
import type { Logger } from "pino";
import { adaptersFromConfiguration } from "./adapters-from-config";
import type { Configuration } from "./config/configuration";
import { inspectorPageRoutes } from "./inspector/inspector-page";
import { createLogger } from "./logger";
import { type AppMetrics, createMetrics } from "./metrics";
import { observeRequests } from "./observe-requests";
import { apiRoutes } from "./routes/api";
import { requireBearerToken } from "./routes/bearer-token";
import { errorHandler, notFound } from "./routes/errors";
import { healthRoutes } from "./routes/health";
import { metricsRoutes } from "./routes/metrics";
import { webhookRoutes } from "./routes/webhooks";
import { createSinkBackfills, type SinkBackfills } from "./sink-backfills";
import { sinksFromConfiguration } from "./sinks-from-config";
import { storeFromConfiguration } from "./store-from-config";
import { receiverRetentionOptions } from "./config/retention-settings";
import { createStoreMetrics } from "./store-metrics";
import { defaultDecisions } from "./config/decision-settings";
import { createFriendRequestDecisions } from "./decisions/friend-request-decisions";

export interface AppOptions {
  /** The logger; one made from the configuration (pretty outside production) by default. */
  readonly logger?: Logger;
  /** Where the console sink prints events; standard output by default. */
  readonly writeLine?: (line: string) => void;
  /**
   * Delivery settings (attempts, backoff, lease…) that win over the configuration's, one by one;
   * the settings left out come from the configuration, then the receiver's defaults.
   */
  readonly delivery?: DeliveryOptions;
}

export interface FriendhookApp {
  /** The Express app, ready for `listen` or for mounting under another app. */
  readonly app: Express;
  /** The ingest: callbacks in, events stored and delivered. */
  readonly receiver: Receiver;
  /** What the receiver stored, as `/api` serves it; its replays wake the receiver's delivery. */
  readonly readApi: ReadApi;
  readonly metrics: AppMetrics;
  readonly sinks: readonly FriendEventSink[];
  /** The `from=` of the sinks' entries, and the ranges replayed to one sink. */
  readonly backfills: SinkBackfills;
  readonly logger: Logger;
  /**
   * Resolves once the store answers (a PostgreSQL store has connected and migrated its tables) and
   * the backfills of the sinks' `from=` are recorded; rejects with the reason when it cannot. The
   * app serves either way: `/healthz` tells which.
   */
  ready(): Promise<void>;
  /** Closes the receiver: waits for callbacks in flight, stops delivery, closes the sinks and the store. */
  close(): Promise<void>;
}

/**
 * Builds the whole receiver from a configuration: the store (SQLite in the data directory, or
 * PostgreSQL), one adapter per configured provider, the sinks, the metrics, and the HTTP routes.
 * Delivery to the sinks starts once the backfills their `from=` asks for are recorded (one store
 * call); the caller decides where to listen.
 */
export function createApp(configuration: Configuration, options: AppOptions = {}): FriendhookApp {
  const logger =
    options.logger ??
    createLogger({ level: configuration.logLevel, pretty: configuration.environment !== "production", providers: configuration.providers });
  const metrics = createMetrics();
  const sinks = sinksFromConfiguration(configuration.sinks, {
    ...(options.writeLine && { writeLine: options.writeLine }),
    ...(configuration.httpSinkSecrets && { httpSinkSecrets: configuration.httpSinkSecrets }),
  });
  const store = storeFromConfiguration(configuration);
  const storeMetrics = createStoreMetrics(metrics.registry, () => store.measure());
  const decisions = createFriendRequestDecisions({
    configuration: configuration.decisions ?? defaultDecisions,
    store,
    logger: logger.child({ component: "decisions" }),
  });
  // The receiver closes the store once the callbacks in flight are answered; the decisions made
  // for them are recorded first.
  const receiverStore: FriendEventStore = {
    ...store,
    close: async () => {
      await decisions.recorded();
      await store.close();
    },
  };
  let receiver: Receiver;
  try {
    receiver = createReceiver({
      adapters: adaptersFromConfiguration(configuration, decisions),
      store: receiverStore,
      sinks,
      logger: logger.child({ component: "receiver" }),
      observer: { ...metrics.observer, pruned: storeMetrics.pruned },
      ...receiverRetentionOptions(configuration.retention),
      // Merged setting by setting: a caller that names a setting (a test needing short backoffs)
      // needs that one whatever the environment says, and leaves the others to the operator.
      delivery: { ...configuration.delivery, ...options.delivery },
      ...(configuration.maximumBodyBytesInFlight !== undefined && { maximumBodyBytesInFlight: configuration.maximumBodyBytesInFlight }),
    });
  } catch (error) {
    void store.close();
    for (const sink of sinks) void sink.close?.();
    throw error;
  }
  const readApi = createReadApi({ store, receiver });
  metrics.watchDeliveries(() => readApi.deliveryCounts());
  const backfills = createSinkBackfills({ store, receiver, sinks: configuration.sinks, logger: logger.child({ component: "backfill" }) });
  // Before delivery starts, and before the port opens (`ready`): a backfill's range ends at the
  // last event stored before it, and its sink's deliveries wait for it from the first claim on.
  const backfillsBegun = backfills.begin();
  let closing = false;
  void backfillsBegun
    .catch((error: unknown) => {
      // `ready` rejects with it too; delivery goes on for what the store can give.
      logger.error({ error: error instanceof Error ? error.message : String(error) }, "the sinks' backfills could not be recorded");
    })
    .then(() => {
      if (!closing) receiver.start();
    });

  const app = express();
  app.disable("x-powered-by");
  app.use(observeRequests(logger, metrics));
  app.use(webhookRoutes({ receiver, metrics, bodyLimitBytes: configuration.bodyLimitBytes, providers: configuration.providers }));
  app.use(healthRoutes(readApi));
  if (configuration.metricsTokens) app.use("/metrics", requireBearerToken(configuration.metricsTokens, "friendhook-metrics"));
  app.use(metricsRoutes(metrics));
  // FRIENDHOOK_API=off: the routes are not there at all, so every /api path is a plain 404.
  if (configuration.api) {
    if (configuration.api.tokens === undefined) {
      logger.warn("FRIENDHOOK_API_TOKEN is not set: the read API (/api/*) answers whoever reaches this port; production refuses to start so");
    }
    app.use(apiRoutes(readApi, configuration.api, sinks.map((sink) => sink.name), backfills));
    app.use(inspectorPageRoutes());
  }
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    receiver,
    readApi,
    metrics,
    sinks,
    logger,
    backfills,
    ready: async () => {
      await readApi.events({ limit: 1 });
      await backfillsBegun;
    },
    close: async () => {
      closing = true;
      await backfills.stop();
      await receiver.close();
    },
  };
}
