import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createSqliteStore } from "@friendhook/sqlite";
import { freshTencentAppend, receivedTencentFriendAdd } from "./tencent-appends";

/**
 * What the SQLite store's writes cost the event loop: Tencent callbacks appended at a steady pace
 * (open loop, as callbacks arrive, each append not awaited before the next is due) into one new
 * store, while `monitorEventLoopDelay` reads how late the loop runs. Every request a server has
 * in flight waits for the loop, so its delay is what the store adds to their tail latency.
 *
 *   pnpm --dir bench exec tsx --conditions=@friendhook/source src/stages/append-loop-delay.ts
 *     [--rate 100] [--pairs 1] [--seconds 15]
 */
const { values } = parseArgs({
  options: { rate: { type: "string", default: "100" }, pairs: { type: "string", default: "1" }, seconds: { type: "string", default: "15" } },
});
const rate = Number(values.rate);
const pairs = Number(values.pairs);
const seconds = Number(values.seconds);

const { body, events } = await receivedTencentFriendAdd(pairs, "append-loop-delay");

const directory = mkdtempSync(join(tmpdir(), "friendhook-append-loop-delay-"));
const store = createSqliteStore({ directory });
const percentile = (sorted: readonly number[], share: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? Number.NaN;
try {
  // A second of appends first, so that the measurement starts on a warm store.
  for (let warm = 0; warm < rate; warm += 1) await store.append(freshTencentAppend(events, body, `-warm-${warm}`));

  const delay = monitorEventLoopDelay({ resolution: 1 });
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(rate * seconds);
  delay.enable();
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const append = store.append(freshTencentAppend(events, body, `-${index}`)).then(() => {
      // From when it fell due, as a caller's latency would count it.
      latencies.push(performance.now() - due);
      pending.delete(append);
    });
    pending.add(append);
  }
  await Promise.all(pending);
  delay.disable();
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((left, right) => left - right);
  const milliseconds = (nanoseconds: number) => (nanoseconds / 1e6).toFixed(1);
  console.log(
    `${total} callbacks of ${pairs} pair(s) at ${rate}/s (${(total / elapsed).toFixed(0)}/s kept): ` +
      `event-loop delay p50 ${milliseconds(delay.percentile(50))} ms, p99 ${milliseconds(delay.percentile(99))} ms, max ${milliseconds(delay.max)} ms; ` +
      `append p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
