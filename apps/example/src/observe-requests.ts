import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { AppMetrics } from "./metrics";

// Scraped and probed every few seconds: logged only at debug level.
const quietRoutes: ReadonlySet<string> = new Set(["/healthz", "/metrics"]);

/**
 * Times every request and logs it once it is answered. Only the path is logged, never the query
 * string (Tencent's carries `Sign`) nor the body (Easemob's carries `security`).
 */
export function observeRequests(logger: Logger, metrics: AppMetrics): RequestHandler {
  return (request, response, next) => {
    const startedAt = process.hrtime.bigint();
    response.once("finish", () => {
      const durationSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const route: string = request.route?.path ?? "unmatched";
      const status = response.statusCode;
      metrics.observeHttpRequest({ method: request.method, route, status, durationSeconds });
      // The entry (and `request.path`, which parses the URL) costs more than the metric: build it
      // only when the level lets it out.
      const level = quietRoutes.has(route) ? "debug" : "info";
      if (!logger.isLevelEnabled(level)) return;
      const entry = {
        method: request.method,
        path: request.path.slice(0, 200),
        status,
        durationMs: Math.round(durationSeconds * 1e4) / 10,
      };
      logger[level](entry, "request");
    });
    next();
  };
}
