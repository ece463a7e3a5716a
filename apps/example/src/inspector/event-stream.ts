import { setTimeout as wait } from "node:timers/promises";
import type { FriendEvent } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import { type Response, Router } from "express";
import { QueryTextSchema, querySchema, readPage, readQuery } from "../routes/read-query";

const EventStreamQuerySchema = querySchema({
  provider: QueryTextSchema.optional(),
  appId: QueryTextSchema.optional(),
  userId: QueryTextSchema.optional(),
  type: QueryTextSchema.optional(),
  after: QueryTextSchema.optional(),
});

type EventFilter = Omit<ReturnType<typeof EventStreamQuerySchema.parse>, "after">;

/** How the stream behaves; the defaults suit a person watching, tests may shorten them. */
export interface EventStreamSettings {
  /** The wait between two reads of the store when the last one found nothing new. */
  readonly pollIntervalMs: number;
  /** A stream ends after this long; the page reconnects from its cursor, so a shutdown never waits long for it. */
  readonly lifetimeMs: number;
  /** A comment line when nothing was written for this long, so that proxies keep the connection. */
  readonly keepAliveMs: number;
}

export const defaultEventStreamSettings: EventStreamSettings = { pollIntervalMs: 500, lifetimeMs: 30_000, keepAliveMs: 15_000 };

/** The last stored events a new stream begins with (before the filter), when it names no cursor. */
const backlogSize = 200;
/** Events read from the store at a time. */
const pageSize = 500;

function matches(event: FriendEvent, filter: EventFilter): boolean {
  return (
    (filter.provider === undefined || event.provider === filter.provider) &&
    (filter.appId === undefined || event.appId === filter.appId) &&
    (filter.type === undefined || event.type === filter.type) &&
    (filter.userId === undefined || event.actor === filter.userId || event.target === filter.userId)
  );
}

/** One server-sent event. JSON never holds a raw line break, so `data` is one line. */
function message(response: Response, name: string, data: unknown, id?: string): void {
  response.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * `GET /api/events/stream?provider=&appId=&userId=&type=&after=`: the stored events as
 * server-sent events (`text/event-stream`), filtered, as they are stored. Without `after` it
 * begins with the matching events among the last 200 stored; each read ends with a `position`
 * message whose `id` is the cursor to reconnect with. It sits behind the API token like every
 * `/api` route: the page reads it with `fetch`, which can send the `Authorization` header
 * (`EventSource` cannot), so the token never goes into a URL.
 *
 * It reads the store by cursor (an index range on the arrival order), never the whole table, and
 * filters in the process: what a stream reads is what was stored since its last read.
 */
export function eventStreamRoutes(readApi: ReadApi, settings: EventStreamSettings = defaultEventStreamSettings): Router {
  const router = Router();
  router.get("/api/events/stream", async (request, response) => {
    const { after: requestedAfter, ...filter } = readQuery(EventStreamQuerySchema, request);
    // Read before answering: a cursor this store did not make is a 400, not a broken stream.
    const first =
      requestedAfter === undefined
        ? await readApi.latestEvents({ limit: backlogSize })
        : await readPage(() => readApi.events({ after: requestedAfter, limit: pageSize }));
    const closed = new AbortController();
    response.on("close", () => closed.abort());
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    let after = first.next ?? requestedAfter;
    let lastWrite = Date.now();
    const send = (events: readonly FriendEvent[]) => {
      for (const event of events) if (matches(event, filter)) message(response, "friend-event", event);
      message(response, "position", {}, after ?? "");
      lastWrite = Date.now();
    };
    send(first.events);
    const endAt = Date.now() + settings.lifetimeMs;
    while (!closed.signal.aborted && Date.now() < endAt) {
      let page;
      try {
        page = await readApi.events({ after, limit: pageSize });
      } catch {
        // The store is closing or failing: the page reconnects, and the next stream says which.
        break;
      }
      if (page.events.length > 0) {
        after = page.next ?? after;
        send(page.events);
      } else if (Date.now() - lastWrite >= settings.keepAliveMs) {
        response.write(": keep-alive\n\n");
        lastWrite = Date.now();
      }
      if (page.events.length < pageSize) await wait(settings.pollIntervalMs, undefined, { signal: closed.signal }).catch(() => undefined);
    }
    response.end();
  });
  return router;
}
