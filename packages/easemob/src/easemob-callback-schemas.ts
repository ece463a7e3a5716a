import { latestTimestampMilliseconds, parseCallbackBody, tolerantField } from "@friendhook/core";
import { z } from "zod";

/**
 * Tolerant schemas for Easemob's callback body, read in three steps so that each question is asked
 * only once the previous one is answered: what was signed, which app and family the callback
 * belongs to, and (for the roster family) who did what. Unknown fields pass through, because
 * Easemob adds fields over time; descriptive fields of the wrong type are dropped rather than
 * refused, so that a cosmetic change on Easemob's side never loses a relationship change.
 */

/** The signed fields: `callId` (`{appkey}_{msg_id}`, or `{appkey}_{uuid}`) and `timestamp` in milliseconds. */
export const EasemobSignedFieldsSchema = z
  .object({
    callId: z.string().min(1),
    timestamp: z.number().int().nonnegative().max(latestTimestampMilliseconds),
  })
  .loose();

/**
 * What Easemob callbacks carry whatever their family. `appkey` is missing from some documented
 * examples (the app key is then read from `callId` or `from`), and `chat_type` from whole families
 * (group operations, user status): a callback without `chat_type` is simply not a roster callback.
 */
export const EasemobCallbackEnvelopeSchema = z
  .object({
    appkey: z.string().min(1).optional(),
    chat_type: tolerantField(z.string()),
    /** `chat` (sent while the recipient was online) or `chat_offline` (stored for an offline one). */
    eventType: tolerantField(z.string()),
    /** The Easemob server that sent the callback. */
    host: tolerantField(z.string()),
  })
  .loose();

const ErrorCodeSchema = z.union([z.string().min(1), z.number().transform(String)]);

/** A `roster` callback: `payload.operation` says what happened between `from` and `to`. */
export const EasemobRosterCallbackSchema = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    msg_id: z.string().min(1),
    payload: z
      .object({
        operation: z.string().min(1),
        /** The roster version of the user the callback was sent to (`to`), after the change. */
        roster_ver: tolerantField(z.string()),
        /** The request text of `add`: documented as an object, sent as a string in every example. */
        reason: z.unknown().optional(),
        /** `ban` and `allow` only: `error_code` is `"ok"` when the change took effect. */
        status: tolerantField(z.object({ error_code: ErrorCodeSchema }).loose()),
      })
      .loose(),
  })
  .loose();

export type EasemobCallbackEnvelope = z.output<typeof EasemobCallbackEnvelopeSchema>;
export type EasemobRosterCallback = z.output<typeof EasemobRosterCallbackSchema>;

/** A value from the body as a message shows it: quoted, and cut short. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Parses one step of the body, or refuses it with `invalid_payload` naming the fields at fault. */
export function parseEasemobCallback<Schema extends z.ZodType>(
  schema: Schema,
  body: Record<string, unknown>,
  what: string,
): z.output<Schema> {
  return parseCallbackBody(schema, body, "easemob", `The body is not ${what}`);
}
