import { setFlagsFromString } from "node:v8";

/**
 * How far the old generation may grow past what the last full garbage collection kept before V8
 * collects it again, as a percentage: 50, i.e. 1.5 times. Left to itself, V8 picks a factor of up to
 * 4 from how fast it collects, and under a steady stream of callbacks the garbage of requests in
 * flight piles up to that limit: resident memory sawed by up to 100 MB around a heap of 40 MB.
 * With a fixed 1.5 it stays level, for full collections of a heap that stays small
 * (RELIABILITY.md, section 11).
 */
export const heapGrowingPercent = 50;

const commandLineFlag = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Sets V8's heap growing factor for the process unless its command line sets one already (an
 * operator's `node --heap-growing-percent=…` wins). True when it was set here.
 */
export function limitHeapGrowth(executionArguments: readonly string[] = process.execArgv): boolean {
  if (executionArguments.some((argument) => commandLineFlag.test(argument))) return false;
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  return true;
}
