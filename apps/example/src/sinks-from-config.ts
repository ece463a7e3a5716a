import { type FriendEventSink, createConsoleSink, createMemorySink } from "@friendhook/core";
import type { SinkSpecification } from "./config/sink-specification";

export interface SinkContext {
  /** Where the console sink writes its lines; standard output by default. */
  readonly writeLine?: (line: string) => void;
}

// Exhaustive over `SinkSpecification`: a new kind does not compile until it is built here.
function createSink(specification: SinkSpecification, context: SinkContext): FriendEventSink {
  switch (specification.kind) {
    case "console":
      return createConsoleSink(context.writeLine ? { write: context.writeLine } : {});
    case "memory":
      return createMemorySink();
  }
}

export function sinksFromConfiguration(specifications: readonly SinkSpecification[], context: SinkContext = {}): FriendEventSink[] {
  return specifications.map((specification) => createSink(specification, context));
}
