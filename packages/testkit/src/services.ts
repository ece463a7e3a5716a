import { describe, it } from "vitest";
import { serviceAvailable, servicesRequired } from "./service-availability";

export interface ServiceOptions {
  /** Where the service listens; 127.0.0.1 by default. */
  readonly host?: string;
  /** How long to wait for the TCP handshake; 2 seconds by default. */
  readonly timeoutMs?: number;
}

/**
 * A `describe` block for tests that need a real server. When nothing listens at the service's
 * address, the block is skipped with a visible message, or fails when `FRIENDHOOK_REQUIRE_SERVICES=1`
 * (CI), so that a missing service can never pass for a green run.
 */
export function describeWithService(
  name: string,
  port: number,
  define: () => void,
  options: ServiceOptions = {},
): void {
  const host = options.host ?? "127.0.0.1";
  describe(name, async () => {
    if (await serviceAvailable(host, port, options.timeoutMs)) {
      define();
      return;
    }
    const message = `${name} is unreachable at ${host}:${port}`;
    if (servicesRequired()) {
      it(`${name} is reachable (FRIENDHOOK_REQUIRE_SERVICES=1)`, () => {
        throw new Error(`${message}; start it, or unset FRIENDHOOK_REQUIRE_SERVICES to skip these tests.`);
      });
      return;
    }
    console.warn(`[friendhook] SKIPPED: ${message}. Set FRIENDHOOK_REQUIRE_SERVICES=1 to fail instead.`);
    it.skip(`SKIPPED: ${message}`, () => undefined);
  });
}
