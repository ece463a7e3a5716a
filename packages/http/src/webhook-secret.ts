/** Standard Webhooks secrets: `whsec_` (optional) and the key in base64, 24 to 64 bytes. */
const secretPrefix = "whsec_";
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const minimumKeyBytes = 24;
const maximumKeyBytes = 64;

/** Why `secret` is not a usable Standard Webhooks secret, or `undefined` when it is. Never repeats the secret. */
export function webhookSecretProblem(secret: string): string | undefined {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  if (encoded.length === 0 || !base64Pattern.test(encoded)) return "Expected whsec_ followed by the key in base64";
  const length = Buffer.from(encoded, "base64").length;
  if (length < minimumKeyBytes || length > maximumKeyBytes) {
    return `Expected a key of ${minimumKeyBytes} to ${maximumKeyBytes} bytes, got ${length}`;
  }
  return undefined;
}

/** The signing key of a secret: the base64 after `whsec_`, decoded, as Standard Webhooks specifies. */
export function webhookSigningKey(secret: string): Buffer {
  const problem = webhookSecretProblem(secret);
  if (problem) throw new TypeError(`Invalid webhook secret: ${problem}.`);
  return Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, "base64");
}
