import type { FriendEvent } from "@friendhook/core";
import { z } from "zod";
import { webhookSecretProblem } from "./webhook-secret";

const SecretSchema = z.string().superRefine((secret, context) => {
  const problem = webhookSecretProblem(secret);
  if (problem) context.addIssue({ code: "custom", message: problem });
});

function areValidHeaders(headers: Record<string, string>): boolean {
  try {
    new Headers(headers);
    return true;
  } catch {
    return false;
  }
}

export const HttpSinkOptionsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "Expected an http:// or https:// URL" }),
  secret: z
    .union([SecretSchema, z.array(SecretSchema).min(1)])
    .describe("The endpoint's secret (whsec_…), or several while one is rotated: each signs every request."),
  format: z.enum(["standard-webhooks", "cloudevents"]).default("standard-webhooks"),
  batch: z.boolean().default(false).describe("One request per delivered batch (a JSON array) instead of one per event."),
  cloudEventSource: z
    .union([z.string().min(1), z.custom<(event: FriendEvent) => string>((value) => typeof value === "function")])
    .optional()
    .describe("The CloudEvents `source`; friendhook://{provider}/{appId} by default."),
  timeoutMs: z.number().int().positive().default(15_000).describe("Per request, from sending to the end of the answer's headers."),
  headers: z
    .record(z.string(), z.string())
    .refine(areValidHeaders, "Expected valid HTTP header names and values")
    .default({})
    .describe("Added to every request, e.g. an Authorization header."),
  receiverDeduplicates: z
    .boolean()
    .default(false)
    .describe("The endpoint keeps one copy per event id, as Standard Webhooks asks of receivers: the sink is then idempotent."),
  name: z.string().min(1).default("http").describe("The sink's name; give each HTTP sink of one receiver its own."),
});

export type HttpSinkOptions = z.input<typeof HttpSinkOptionsSchema>;
