/**
 * Polls until `check` returns something other than `undefined`. The deadline only bounds a hang:
 * it is generous, and no assertion depends on how fast the answer came.
 */
export async function waitFor<Value>(
  what: string,
  check: () => Promise<Value | undefined> | Value | undefined,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
