import type { z } from "zod";

/**
 * A descriptive field of a provider's callback: optional, and dropped to undefined when of the
 * wrong type, so that a provider changing a field that says nothing about who changed what never
 * costs a callback. The fields that say who changed what stay required.
 */
export function tolerantField<Schema extends z.ZodType>(schema: Schema) {
  return schema.optional().catch(undefined);
}
