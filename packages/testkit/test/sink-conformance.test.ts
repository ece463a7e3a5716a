import { createMemorySink, type FriendEventSink } from "@friendhook/core";
import { describeSinkConformance } from "../src/index";

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
