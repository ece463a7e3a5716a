import { z } from "zod";
import { FriendEventSchema } from "./friend-event";

export const friendEventJsonSchemaId = "https://friendhook.dev/schemas/friend-event.v1.json";

/**
 * The JSON Schema (draft 2020-12) of a `FriendEvent`, for consumers in other languages. The same
 * document ships as `@friendhook/core/friend-event.schema.json`; a test keeps the two identical.
 */
export function friendEventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FriendEventSchema, { target: "draft-2020-12", io: "output" });
  return {
    $schema: schema.$schema,
    $id: friendEventJsonSchemaId,
    title: "FriendEvent",
    description: "One change to a friend relationship, reported by an IM provider and unified by friendhook.",
    ...schema,
  };
}
