import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";

/**
 * What the app holds on the heap, read right after each full garbage collection. Resident memory
 * saws between collections (garbage from in-flight work piles up in the old generation until V8's
 * next full collection), so its value at any moment says little; this value stays level unless
 * something leaks. The young generation is left out: right after a full collection it holds work
 * in flight, not what the app keeps.
 */
const youngSpaces: ReadonlySet<string> = new Set(["new_space", "new_large_object_space"]);

function heldBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) if (!youngSpaces.has(space.space_name)) bytes += space.space_used_size;
  return bytes;
}

// Module state, by design: garbage collection is per process, so one observer serves every app of
// the process, and it is made on first use only.
let observer: PerformanceObserver | undefined;
let latest: number | undefined;

/** The bytes held after the latest full collection, or `undefined` before the first. */
export function heapAfterLastFullCollection(): number | undefined {
  if (observer === undefined) {
    observer = new PerformanceObserver((list) => {
      // A gc entry's `detail` is { kind, flags }; Node's types leave it out of `PerformanceEntry`.
      const full = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (full) latest = heldBytes();
    });
    observer.observe({ entryTypes: ["gc"] });
  }
  return latest;
}
