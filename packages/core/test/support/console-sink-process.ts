// A process that prints events with the console sink's default writer, as fast as it can, and says
// on standard error how its deliveries went: the test decides what happens to its standard output.
import { createConsoleSink } from "../../src/index";
import { relationEvent } from "../relation-event";

const sink = createConsoleSink();
const batch = Array.from({ length: 50 }, (_, index) => relationEvent("friend.added", `alice${index}`, "bob", index, `event-${index}`));
const report = { delivered: 0, failed: 0, lastError: "" };

setInterval(() => {
  sink.deliver(batch).then(
    () => {
      report.delivered += 1;
    },
    (error: unknown) => {
      report.failed += 1;
      report.lastError = error instanceof Error ? error.message : String(error);
    },
  );
}, 2);
setInterval(() => process.stderr.write(`${JSON.stringify(report)}\n`), 100);
process.on("SIGTERM", () => process.exit(0));
