import { FriendhookError } from "@friendhook/core";
import { quoted } from "./easemob-callback-schemas";
import { easemobProvider } from "./easemob-provider";
import type { ResolvedEasemobOptions } from "./easemob-options";

/**
 * `{org}#{app}` at the start of a text, followed by `_`. App names hold only lower-case letters,
 * digits and hyphens (the Easemob console refuses anything else), so the first `_` after the `#`
 * ends the app key: `1112220101#demo_966725899779049516` names the app key `1112220101#demo`.
 */
const prefixPattern = /^([^#\s]+#[^#_\s]+)_/;

/** An app key alone: `{org}#{app}`. */
const appKeyPattern = /^[^#\s]+#[^#_\s]+$/;

/**
 * The app key a text begins with (`{appkey}_…`), in the text's own spelling. The app keys the
 * receiver already knows of are tried first, so that one that breaks the console's rules still
 * resolves whole.
 */
function appKeyPrefixOf(text: string, known: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  for (const appKey of known) {
    if (lower.startsWith(`${appKey.toLowerCase()}_`)) return text.slice(0, appKey.length);
  }
  return prefixPattern.exec(text)?.[1];
}

/** The app key an address names: `{appkey}_{user}@easemob.com/{resource}`, or `{appkey}` alone. */
function appKeyOfAddress(address: string, known: readonly string[]): string | undefined {
  const local = address.split("/", 1)[0]?.split("@", 1)[0] ?? "";
  return appKeyPattern.test(local) ? local : appKeyPrefixOf(local, known);
}

function mismatch(message: string): FriendhookError {
  return new FriendhookError("app_mismatch", message, { provider: easemobProvider });
}

/**
 * The app key a callback belongs to, in the spelling events carry: the configured one when
 * `appKeys` is set, else the one `callId` is signed with. Undefined when nothing names one.
 *
 * `callId` is signed and documented as `{appkey}_{id}`, so it decides: an `appkey` field that names
 * another app is refused (`app_mismatch`), since the signature would otherwise vouch for a body
 * rewritten for another app that shares the secret. Without `appkey` (some documented examples
 * leave it out) the app key is the one `callId` names, or else the one in the `from` JID. A
 * `callId` without the prefix (only the documentation's redacted examples) binds nothing.
 */
export function resolveEasemobAppKey(
  callId: string,
  claimed: string | undefined,
  from: unknown,
  options: ResolvedEasemobOptions,
): string | undefined {
  const known = [...(claimed === undefined ? [] : [claimed]), ...(options.appKeys?.values() ?? [])];
  const callIdAppKey = appKeyPrefixOf(callId, known);
  if (claimed !== undefined && callIdAppKey !== undefined && callIdAppKey.toLowerCase() !== claimed.toLowerCase()) {
    throw mismatch(`The callback's callId is signed for the app key ${quoted(callIdAppKey)}, but its appkey is ${quoted(claimed)}.`);
  }
  const appKey = callIdAppKey ?? claimed ?? (typeof from === "string" ? appKeyOfAddress(from, known) : undefined);
  if (appKey === undefined || options.appKeys === undefined) return appKey;
  const configured = options.appKeys.get(appKey.toLowerCase());
  if (configured === undefined) {
    throw mismatch(`The callback is for the app key ${quoted(appKey)}, which this receiver is not configured for.`);
  }
  return configured;
}
