import { FriendhookError } from "@friendhook/core";
import { quoted } from "./easemob-callback-schemas";

const easemobDomain = "easemob.com";

function refuse(field: string, reason: string): never {
  throw new FriendhookError("invalid_payload", `The callback's ${field} ${reason}.`, { provider: "easemob" });
}

/**
 * The bare user id behind a roster callback's `from` or `to`, or undefined when the address names
 * no user. The documents show every one of these forms:
 *
 * - a bare id: `tst01`;
 * - a JID: `org#app_alice@easemob.com`, perhaps with a device resource (`…/android_8070d7b2`);
 * - the same without the domain: `org#app_alice/android_8070d7b2`;
 * - the app key alone, perhaps with a resource: `org#app`, `org#app/android_8070d7b2`, which names
 *   no user (an operation of the app itself, or a redacted example).
 *
 * User ids hold only letters, digits, `_`, `-` and `.`, so a `#` means an app key prefix, and a `/`
 * starts a resource. From a prefixed address the exact `{appKey}_` prefix, the domain and the
 * resource are removed, and nothing else: the id is never split on `_`, and an app key or a
 * resource never becomes part of it. A bare id is kept exactly as sent.
 */
export function easemobUserOf(address: string, appKey: string, field: string): string | undefined {
  const slash = address.indexOf("/");
  const base = slash === -1 ? address : address.slice(0, slash);
  const at = base.indexOf("@");
  let local = base;
  if (at !== -1) {
    if (base.indexOf("@", at + 1) !== -1) refuse(field, "is neither a bare user id nor a JID of the form {appkey}_{user}@easemob.com");
    local = base.slice(0, at);
    const domain = base.slice(at + 1);
    if (domain.toLowerCase() !== easemobDomain) refuse(field, `is a JID of the domain ${quoted(domain)}, not ${easemobDomain}`);
  }
  if (local.length === 0) refuse(field, "is neither a bare user id nor a JID of the form {appkey}_{user}@easemob.com");
  if (!local.includes("#")) return local;
  // Compared without regard to case, so that an address written in another case still resolves.
  const lowerLocal = local.toLowerCase();
  const lowerAppKey = appKey.toLowerCase();
  if (lowerLocal === lowerAppKey) return undefined;
  if (!lowerLocal.startsWith(`${lowerAppKey}_`)) refuse(field, `does not name a user of the app key ${quoted(appKey)}`);
  const user = local.slice(appKey.length + 1);
  return user.length === 0 ? undefined : user;
}
