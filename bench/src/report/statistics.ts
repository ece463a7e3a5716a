/** The value below which `fraction` of the sorted values lie (nearest rank). */
export function percentileOfSorted(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentileOfSorted([...values].sort((left, right) => left - right), 0.5);
}

/** Half the distance between the 25th and 75th percentiles, relative to the median: the noise of a figure. */
export function relativeSpread(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = percentileOfSorted(sorted, 0.5);
  return (percentileOfSorted(sorted, 0.75) - percentileOfSorted(sorted, 0.25)) / 2 / middle;
}
