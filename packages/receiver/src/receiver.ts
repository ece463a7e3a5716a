import {
  FriendhookError,
  isFriendhookError,
  type FriendEventSink,
  parseOptions,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
  type ProviderResponse,
  type ReceivedCallback,
  storedCallbackOf,
} from "@friendhook/core";
import { type BodyBudget, createBodyBudget } from "./body-budget";
import { createSinkWorker, type SinkWorker } from "./delivery/sink-worker";
import { createPruningScheduler, type PruningScheduler } from "./retention/pruning-scheduler";
import { silentLogger } from "./receiver-logger";
import type { CallbackHandledInfo, DeliveryAttemptedInfo, PruneRoundInfo } from "./receiver-observer";
import { type ReceiverOptions, ReceiverOptionsSchema } from "./receiver-options";
import { checkProviderRequest, withRequiredHeaders } from "./request-checks";
import { checkRequestHead } from "./request-head-check";
import { checkEventUserIds } from "./event-checks";

/**
 * The ingest and delivery of friendhook: callbacks in (`handle`, and the handlers built on it:
 * `createFetchHandler`, `createNodeHandler` of `@friendhook/receiver/node`), events stored, then
 * delivered to the sinks. What is stored is read through `createReadApi`.
 */
export interface Receiver {
  /** The route names of the configured adapters. */
  readonly adapterNames: readonly string[];
  /**
   * Runs one callback through its adapter and the store, and returns the provider's answer: the
   * acknowledgement once the events are durable, or a refusal in the provider's format. Never throws.
   */
  handle(adapterName: string, request: ProviderRequest): Promise<ProviderResponse>;
  /**
   * For framework shells, before the body is read: the checks the head allows (method, content type,
   * the adapter's `authenticateHead`). Returns the refusal to send without reading the body, or
   * undefined to go on; `handle` checks everything again. See `answerCallback`.
   */
  checkHead(adapterName: string, head: ProviderRequestHead): ProviderResponse | undefined;
  /** The request-body bytes in memory across every request of this receiver (`maximumBodyBytesInFlight`). */
  readonly bodyBudget: BodyBudget;
  /**
   * Renders a refusal found before `handle` could run (a body too large, too slow, already read by
   * another parser) in the provider's format, and reports it to the observer. For framework shells.
   */
  refuse(adapterName: string, error: FriendhookError, durationMs?: number): ProviderResponse;
  /**
   * How long event ids stay known, in milliseconds: `deduplicationWindowMs`, widened to what every
   * adapter needs. With `retention`, events are kept at least this long.
   */
  readonly deduplicationWindowMs: number;
  /**
   * Starts one delivery loop per sink, and pruning when `retention` is set. Callbacks are stored
   * whether or not delivery runs.
   */
  start(): void;
  /**
   * Has every sink look for due deliveries now rather than at its next poll: for whoever made
   * deliveries due outside `handle` (the read API's `replayDeadLetters` calls it). Does nothing
   * before `start` or after `close`.
   */
  wakeDelivery(): void;
  /** Stops accepting callbacks (503), waits for those in flight, stops delivery, closes the sinks and the store. */
  close(): Promise<void>;
}

type HandledReport = Omit<CallbackHandledInfo, "adapter" | "provider" | "durationMs">;

function asFriendhookError(error: unknown): FriendhookError | undefined {
  // By its mark, not its class: an adapter may come from another copy of core (ES build beside CommonJS).
  return isFriendhookError(error) ? error : undefined;
}

/** The answer when no adapter can render one: a short JSON error. */
function genericRefusal(error: FriendhookError): ProviderResponse {
  return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify(error) };
}

export function createReceiver(input: ReceiverOptions): Receiver {
  const options = parseOptions(ReceiverOptionsSchema, input, "receiver");
  const { adapters, store, sinks, delivery } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const sinkNames = sinks.map((sink) => sink.name);
  const inFlight = new Set<Promise<unknown>>();
  const bodyBudget = createBodyBudget(options.maximumBodyBytesInFlight);
  let started = false;
  let closing: Promise<void> | undefined;

  const callObserver = <Info>(hook: ((info: Info) => void) | undefined, info: Info) => {
    try {
      hook?.call(options.observer, info);
    } catch (error) {
      logger.warn({ error: String(error) }, "an observer hook threw; ignored");
    }
  };
  const deliveryAttempted = (info: DeliveryAttemptedInfo) => callObserver(options.observer?.deliveryAttempted, info);

  const workers: SinkWorker[] = sinks.map((sink: FriendEventSink) =>
    createSinkWorker({ store, sink, settings: delivery, logger, deliveryAttempted, now }),
  );
  const wakeWorkers = () => {
    for (const worker of workers) worker.wake();
  };
  const deduplicationWindowMs = Math.max(
    options.deduplicationWindowMs,
    ...Object.values(adapters).map((adapter) => adapter.deduplicationWindowMs ?? 0),
  );
  const pruning: PruningScheduler | undefined =
    options.retention &&
    createPruningScheduler({
      store,
      retention: options.retention,
      deduplicationWindowMs,
      logger,
      now,
      pruned: (info: PruneRoundInfo) => callObserver(options.observer?.pruned, info),
    });

  function renderRefusal(adapter: ProviderAdapterV1 | undefined, error: FriendhookError): ProviderResponse {
    if (!adapter) return genericRefusal(error);
    try {
      return adapter.refuse(error);
    } catch (renderError) {
      logger.error({ provider: adapter.provider, error: String(renderError) }, "the adapter could not render a refusal");
      return genericRefusal(error);
    }
  }

  function report(adapterName: string, startedAt: number, details: HandledReport): void {
    const provider = adapters[adapterName]?.provider ?? "unknown";
    callObserver(options.observer?.callbackHandled, { adapter: adapterName, provider, ...details, durationMs: performance.now() - startedAt });
  }

  function refuseAt(adapterName: string, error: FriendhookError, startedAt: number, eventTypes: readonly string[] = []): ProviderResponse {
    const rendered = renderRefusal(adapters[adapterName], error);
    const response = withRequiredHeaders(error, rendered);
    const outcome = error.status >= 500 ? "failed" : "refused";
    logger[outcome === "failed" ? "error" : "warn"](
      { adapter: adapterName, code: error.code, status: response.status, reason: error.message },
      "callback not accepted",
    );
    report(adapterName, startedAt, { outcome, status: response.status, errorCode: error.code, eventTypes });
    return response;
  }

  async function receive(adapter: ProviderAdapterV1, request: ProviderRequest): Promise<ReceivedCallback | FriendhookError> {
    try {
      return await adapter.receive(request);
    } catch (error) {
      const refusal = asFriendhookError(error);
      if (refusal) return refusal;
      // The contract forbids this; the input is what made the adapter fail, so the answer is a 4xx.
      logger.error({ provider: adapter.provider, error: String(error) }, "the adapter threw something other than a FriendhookError");
      return new FriendhookError("invalid_payload", "The callback could not be read.", { provider: adapter.provider, cause: error });
    }
  }

  async function handleCallback(adapterName: string, request: ProviderRequest, startedAt: number): Promise<ProviderResponse> {
    const adapter = adapters[adapterName];
    if (!adapter) {
      const known = Object.keys(adapters).join(", ");
      return refuseAt(adapterName, new FriendhookError("misconfigured", `No adapter is named "${adapterName}" (configured: ${known}).`), startedAt);
    }
    const requestProblem = checkProviderRequest(request);
    if (requestProblem) return refuseAt(adapterName, requestProblem, startedAt);
    if (closing) {
      return refuseAt(adapterName, new FriendhookError("store_unavailable", "The receiver is shutting down; retry later."), startedAt);
    }
    const callback = await receive(adapter, request);
    if (callback instanceof FriendhookError) return refuseAt(adapterName, callback, startedAt);

    const eventTypes = callback.events.map((event) => event.type);
    const userIdProblem = checkEventUserIds(callback.events);
    if (userIdProblem) return refuseAt(adapterName, userIdProblem, startedAt, eventTypes);
    // An unrecognized callback is always kept (nothing a provider sent is lost); a recognized one only when asked.
    const stored = callback.unrecognized || options.keepRecognizedCallbacks ? storedCallbackOf(callback, request) : undefined;
    let inserted = 0;
    // A binding alone is appended too: the signature must be bound even when nothing else is kept.
    if (callback.events.length > 0 || stored || callback.binding) {
      try {
        ({ inserted } = await store.append({
          events: callback.events,
          ...(stored && { callback: stored }),
          ...(callback.binding && { binding: callback.binding }),
          sinks: sinkNames,
        }));
      } catch (error) {
        // The store refuses input it must not or cannot keep (a reused signature, a NUL) with a 4xx:
        // that is the answer, as a retry would be refused again.
        const refusal = asFriendhookError(error);
        if (refusal && refusal.status < 500) return refuseAt(adapterName, refusal, startedAt, eventTypes);
        logger.error({ adapter: adapterName, error: String(error) }, "the store could not persist a callback");
        const failure = new FriendhookError("store_unavailable", "The callback could not be stored; retry later.", { cause: error });
        return refuseAt(adapterName, failure, startedAt, eventTypes);
      }
    }
    if (inserted > 0) wakeWorkers();
    const outcome = callback.unrecognized ? "unrecognized" : inserted > 0 ? "stored" : "duplicate";
    logger.debug({ adapter: adapterName, appId: callback.appId, command: callback.command, outcome, inserted }, "callback accepted");
    report(adapterName, startedAt, { outcome, status: callback.acknowledgement.status, eventTypes });
    return callback.acknowledgement;
  }

  return {
    adapterNames: Object.keys(adapters),
    bodyBudget,
    deduplicationWindowMs,

    checkHead(adapterName, head) {
      const startedAt = performance.now();
      const adapter = adapters[adapterName];
      // An unknown name is left to `handle`, which says what is configured.
      if (!adapter) return undefined;
      const problem =
        checkRequestHead(adapter, head, logger) ??
        (closing ? new FriendhookError("store_unavailable", "The receiver is shutting down; retry later.") : undefined);
      return problem && refuseAt(adapterName, problem, startedAt);
    },

    handle(adapterName, request) {
      const startedAt = performance.now();
      const handling = handleCallback(adapterName, request, startedAt).catch((error: unknown) => {
        // Only a bug gets here (an observer or logger that throws, say); the provider may retry.
        logger.error({ adapter: adapterName, error: String(error) }, "handling a callback failed unexpectedly");
        return renderRefusal(adapters[adapterName], new FriendhookError("store_unavailable", "The callback could not be handled; retry later."));
      });
      inFlight.add(handling);
      void handling.finally(() => inFlight.delete(handling));
      return handling;
    },

    refuse(adapterName, error, durationMs = 0) {
      return refuseAt(adapterName, error, performance.now() - durationMs);
    },

    start() {
      if (closing) throw new FriendhookError("misconfigured", "The receiver is closed; create a new one to deliver again.");
      if (started) return;
      started = true;
      for (const worker of workers) worker.start();
      pruning?.start();
    },

    close() {
      closing ??= (async () => {
        await Promise.allSettled([...inFlight]);
        await Promise.all([...workers.map((worker) => worker.stop()), pruning?.stop()]);
        for (const sink of sinks) {
          try {
            await sink.close?.();
          } catch (error) {
            logger.warn({ sink: sink.name, error: String(error) }, "a sink failed to close");
          }
        }
        await store.close();
      })();
      return closing;
    },

    wakeDelivery: wakeWorkers,
  };
}
