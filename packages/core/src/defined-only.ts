/**
 * Drops keys whose value is undefined, so that events compare and serialize cleanly (an event's
 * `details` holds only what the provider said). A plain loop: this runs once per event, and one
 * callback may list thousands of changes.
 */
export function definedOnly<Shape extends Record<string, unknown>>(shape: Shape): Shape {
  const defined: Record<string, unknown> = {};
  for (const key in shape) {
    if (shape[key] !== undefined) defined[key] = shape[key];
  }
  return defined as Shape;
}

/** The text, or undefined when it is empty or absent: providers send `""` for "not given". */
export function nonEmptyText(text: string | undefined): string | undefined {
  return text ? text : undefined;
}
