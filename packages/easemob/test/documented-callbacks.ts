import { readFileSync } from "node:fs";
import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { signEasemobCallback } from "../src/index";
import { testSecret } from "./seed-callbacks";

/** The documented examples in `fixtures/` (see its README for where each comes from). */
export const documentedNames = [
  "contact-add",
  "contact-remote-accept",
  "contact-accept",
  "contact-remote-decline",
  "contact-decline",
  "contact-remove",
  "contact-ban",
  "contact-allow",
  "shengwang-contact-add",
  "shengwang-contact-remote-accept",
  "shengwang-contact-remove",
  "configurations-2023-remote-accept",
  "configurations-2023-remote-decline",
  "configurations-2023-user-login",
  "configurations-muc-create",
  "group-ban",
  "group-room-join-direct",
] as const;

export type DocumentedName = (typeof documentedNames)[number];

/** A documented example, as the documentation has it. */
export function documentedText(name: DocumentedName): string {
  return readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), "utf8");
}

export interface DocumentedRequestOptions {
  readonly secret?: string;
  /** When the request is received; a second after the example's timestamp by default. */
  readonly receivedAt?: Date;
  /** Replaces the value of `from` (the documents redact user names, so that both readings can be tried). */
  readonly from?: string;
}

/**
 * A documented example as a request, re-signed with the test secret: the value of `security`
 * changes, and `from` when asked; every other byte is the documentation's.
 */
export function signedDocumented(name: DocumentedName, options: DocumentedRequestOptions = {}): ProviderRequest {
  let text = documentedText(name);
  if (options.from !== undefined) text = text.replace(/("from"\s*:\s*)"[^"]*"/, (_, key: string) => `${key}${JSON.stringify(options.from)}`);
  const body = JSON.parse(text) as { callId: string; timestamp: number };
  const security = signEasemobCallback(body, options.secret ?? testSecret);
  text = text.replace(/("security"\s*:\s*)"[^"]*"/, (_, key: string) => `${key}"${security}"`);
  return createProviderRequest({
    body: text,
    headers: { "content-type": "application/json" },
    receivedAt: options.receivedAt ?? new Date(body.timestamp + 1000),
  });
}
