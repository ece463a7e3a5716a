import { latestTimestampMilliseconds, parseCallbackBody, tolerantField } from "@friendhook/core";
import { z } from "zod";
import { __nameCamel__Provider } from "./__name__-provider";

/**
 * TODO(__name__): one tolerant schema per callback shape of the provider, with its exact field
 * names. Tolerant means `.loose()` (providers add fields) and descriptive fields that drop to
 * undefined when of the wrong type (`tolerantField`); the fields that say who changed what stay required.
 *
 * The fictional provider of this skeleton sends one shape for every operation:
 *   {"eventId":"…","appId":"…","operation":"friend_request","from":"alice","to":"bob","occurredAt":1700000000000,"message":"hi"}
 */

const UserIdSchema = z.string().min(1);

export const __Name__CallbackSchema = z
  .object({
    /** The provider's id of the fact; the same on every retry. */
    eventId: z.string().min(1),
    appId: z.string().min(1),
    operation: z.string().min(1),
    from: UserIdSchema,
    to: UserIdSchema,
    /**
     * Unix milliseconds. A time an event cannot hold (past year 9999) is dropped like any other
     * malformed descriptive field, and the receive time stands in for it. TODO(__name__): when the
     * provider signs its time, refuse such a callback instead (`invalid_payload`).
     */
    occurredAt: tolerantField(z.number().int().nonnegative().max(latestTimestampMilliseconds)),
    message: tolerantField(z.string()),
  })
  .loose();

export type __Name__Callback = z.infer<typeof __Name__CallbackSchema>;

/** A body that does not fit is `invalid_payload` (400), with the first few reasons. */
export function parse__Name__Callback(body: Record<string, unknown>): __Name__Callback {
  return parseCallbackBody(__Name__CallbackSchema, body, __nameCamel__Provider, "The body is not a __Title__ callback");
}
