import { readFileSync } from "node:fs";
import { createTencentAdapter, type TencentAdapterOptions } from "../src/index";

export const sdkAppId = "1400000000";
export const token = "test-callback-token";
/** A fixed instant for tests that pin the clock: 2024-05-01T00:00:00Z. */
export const fixedNow = new Date("2024-05-01T00:00:00.000Z");
export const fixedRequestTime = fixedNow.getTime() / 1000;
export const receivedAt = new Date("2024-05-01T00:00:00.250Z");

/** A seed document's example, byte for byte. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

export function adapterWith(options: Partial<TencentAdapterOptions> = {}) {
  return createTencentAdapter({ sdkAppIds: [sdkAppId], token, now: () => fixedNow, ...options });
}

export function acknowledgementBody(response: { body: string }): unknown {
  return JSON.parse(response.body);
}
