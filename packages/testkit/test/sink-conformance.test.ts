import { createMemorySink, type FriendEvent, type FriendEventSink, SinkError } from "@friendhook/core";
import { describeSinkConformance } from "../src/index";

/** Stores all or nothing, as a database transaction does: a batch holding a refused event fails whole. */
function allOrNothingSink() {
  const events: FriendEvent[] = [];
  return {
    name: "all-or-nothing",
    idempotent: true,
    events,
    async deliver(batch: readonly FriendEvent[]) {
      if (batch.some((event) => event.source.messageId === "refused")) {
        throw new SinkError("a data exception", { permanent: true });
      }
      for (const event of batch) if (!events.some((each) => each.id === event.id)) events.push(event);
    },
  };
}

describeSinkConformance("memory sink", {
  createSink: () => createMemorySink(),
  readEvents: async (sink) => [...sink.events],
  createUnreachableSink: (): FriendEventSink => {
    const sink = createMemorySink();
    sink.failWith(new Error("connection refused"));
    return sink;
  },
});

describeSinkConformance("memory sink keeping every copy", {
  createSink: () => createMemorySink({ idempotent: false }),
  readEvents: async (sink) => [...sink.events],
});

describeSinkConformance("memory sink refusing events", {
  createSink: () => {
    const sink = createMemorySink();
    sink.refuseEvents((event) => (event.source.messageId === "refused" ? new SinkError("refused", { permanent: true }) : undefined));
    return sink;
  },
  readEvents: async (sink) => [...sink.events],
  refuseEvent: (event) => ({ ...event, source: { ...event.source, messageId: "refused" } }),
});

describeSinkConformance("an all-or-nothing sink", {
  createSink: () => allOrNothingSink(),
  readEvents: async (sink) => [...sink.events],
  refuseEvent: (event) => ({ ...event, source: { ...event.source, messageId: "refused" } }),
});
