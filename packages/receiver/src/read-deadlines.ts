/**
 * Deadlines for body reads, kept on one timer for all of them. A timer per request costs a
 * `setTimeout` and a `clearTimeout` on every callback although almost none ever fires; here a
 * request costs a set entry, and the one timer is armed for the earliest deadline. The timer keeps
 * the process alive only while a read is pending, as a timer of its own would.
 */
interface PendingRead {
  readonly dueAt: number;
  readonly expire: () => void;
}

// Module state, by design: one timer for every read of every receiver in the process (see above).
const pending = new Set<PendingRead>();
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Number.POSITIVE_INFINITY;

// Node's timers count whole milliseconds: one may fire a fraction early by `performance.now()`.
const earlyFiringToleranceMs = 1;

function arm(dueAt: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedFor = dueAt;
  timer = setTimeout(expireDue, Math.max(0, dueAt - performance.now()));
}

/** Where timers can stop keeping the process alive (Node, Bun), lets this one do so or not; elsewhere a timer is a number. */
function keepProcessAlive(alive: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void } | undefined;
  if (alive) handle?.ref?.();
  else handle?.unref?.();
}

function expireDue(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now() + earlyFiringToleranceMs;
  let nextDueAt = Number.POSITIVE_INFINITY;
  for (const read of pending) {
    if (read.dueAt <= now) {
      pending.delete(read);
      read.expire();
    } else if (read.dueAt < nextDueAt) {
      nextDueAt = read.dueAt;
    }
  }
  if (pending.size > 0) arm(nextDueAt);
}

/** Calls `expire` after `timeoutMs` unless the returned function is called first. */
export function scheduleReadDeadline(timeoutMs: number, expire: () => void): () => void {
  const read: PendingRead = { dueAt: performance.now() + timeoutMs, expire };
  pending.add(read);
  if (read.dueAt < armedFor) arm(read.dueAt);
  else if (pending.size === 1) keepProcessAlive(true);
  return () => {
    if (pending.delete(read) && pending.size === 0) keepProcessAlive(false);
  };
}
