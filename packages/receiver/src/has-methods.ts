/** For option schemas: whether a value is an object with these methods (a store, a sink, a logger). */
export const hasMethods =
  (...names: readonly string[]) =>
  (value: unknown): boolean =>
    value !== null && typeof value === "object" && names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
