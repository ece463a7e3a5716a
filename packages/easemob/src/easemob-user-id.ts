import { FriendhookError } from "@friendhook/core";
import { quoted } from "./easemob-callback-schema";

const easemobDomain = "easemob.com";

/** `local@domain` with an optional `/resource`; Easemob user ids contain neither `@` nor `/`. */
const jidPattern = /^([^@/]+)@([^@/]+)(?:\/.*)?$/s;

function refuse(field: string, reason: string): never {
  throw new FriendhookError("invalid_payload", `The callback's ${field} ${reason}.`, { provider: "easemob" });
}

/**
 * The bare user id behind a roster callback's `from` or `to`. Easemob sends either the bare id
 * (`alice`) or a JID (`org#app_alice@easemob.com`, perhaps with a `/resource`). From a JID the exact
 * `{appKey}_` prefix and the domain are removed, and nothing else: user ids may contain `_`, `-` and
 * `.`, so the id is never split on `_`. A bare id is kept exactly as sent, with no other rewriting.
 */
export function easemobUserId(address: string, appKey: string, field: string): string {
  if (!address.includes("@")) return address;
  const match = jidPattern.exec(address);
  if (!match) refuse(field, "is neither a bare user id nor a JID of the form {appkey}_{user}@easemob.com");
  const [, local = "", domain = ""] = match;
  if (domain.toLowerCase() !== easemobDomain) {
    refuse(field, `is a JID of the domain ${quoted(domain)}, not ${easemobDomain}`);
  }
  const prefix = `${appKey}_`;
  // Compared without regard to case, so that a JID written in another case still resolves.
  if (!local.toLowerCase().startsWith(prefix.toLowerCase()) || local.length === prefix.length) {
    refuse(field, `is a JID that does not name a user of the app key ${quoted(appKey)}`);
  }
  return local.slice(prefix.length);
}
