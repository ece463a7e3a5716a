export const defaultPageLimit = 100;
export const maximumPageLimit = 1000;

/** The page size a store uses for a requested `limit`: the default when absent, capped, at least 1. */
export function resolvePageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return defaultPageLimit;
  return Math.min(maximumPageLimit, Math.max(1, Math.floor(limit)));
}
