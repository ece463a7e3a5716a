import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

async function runFixture(): Promise<Map<string, string>> {
  const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
  const result = await promisify(execFile)(
    process.execPath,
    [vitest, "run", "--config", "test/fixtures/vitest.config.ts", "--reporter=json"],
    { cwd: packageRoot, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as JsonReport;
  const statuses = new Map<string, string>();
  for (const file of report.testResults) {
    for (const assertion of file.assertionResults) statuses.set(assertion.fullName, assertion.status);
  }
  return statuses;
}

describe("the adapter conformance suite", () => {
  it("fails adapters that break the contract, and only on the broken promise", async () => {
    const statuses = await runFixture();
    const status = (name: string) => statuses.get(name) ?? `missing: ${name}`;

    expect(status("skips authentication: adapter conformance refuses another secret")).toBe("failed");
    expect(status("skips authentication: adapter conformance signed callback: a friend added yields the same ids when the callback is retried")).toBe("passed");

    expect(status("random ids: adapter conformance signed callback: a friend added yields the same ids when the callback is retried")).toBe("failed");
    expect(status("random ids: adapter conformance refuses another secret")).toBe("passed");

    const hostile = (variant: string, body: string) =>
      status(`${variant}: adapter conformance handles a hostile body (${body}): a clear 4xx refusal, or an unrecognized acknowledgement of a JSON object`);
    expect(hostile("crashes on bad bodies", "random bytes")).toBe("failed");
    expect(hostile("crashes on bad bodies", "empty object")).toBe("failed");

    expect(status("no event cap: adapter conformance refuses a callback over maximumEventsPerCallback with too_many_events 413, in the provider's format")).toBe("failed");
    expect(status("no event cap: adapter conformance refuses another secret")).toBe("passed");

    const headCheck = "a head check that refuses genuine callbacks: adapter conformance";
    expect(status(`${headCheck} lets the head of every signed callback through authenticateHead, when it has one`)).toBe("failed");
    expect(status(`${headCheck} refuses no signature in authenticateHead, if there, with the code receive gives`)).toBe("failed");
    expect(status(`${headCheck} refuses no signature`)).toBe("passed");

    const refusesUnmapped = "refuses what it does not map: adapter conformance";
    expect(status(`${refusesUnmapped} acknowledges a mute command without events, as unrecognized`)).toBe("failed");
    expect(status(`${refusesUnmapped} refuses another secret`)).toBe("passed");

    const anyTime = "carries any provider time: adapter conformance";
    for (const time of ["the first millisecond of year 10000", "the latest instant a JavaScript Date holds", "the last millisecond before year 0"]) {
      expect(status(`${anyTime} refuses or replaces a provider time no event can hold: ${time}`)).toBe("failed");
    }
    expect(status(`${anyTime} carries a provider time of an hour ago as occurredAt`)).toBe("passed");

    // Acknowledging a JSON object it cannot read, as unrecognized, is allowed; bytes that are not JSON are not.
    for (const body of ["empty object", "every field the wrong type", "prototype pollution keys", "random bytes"]) {
      expect(hostile("acknowledges every JSON object it cannot read", body)).toBe("passed");
    }
    expect(hostile("acknowledges bodies that are not JSON", "random bytes")).toBe("failed");
    expect(hostile("acknowledges bodies that are not JSON", "empty object")).toBe("passed");
  }, 180_000);
});
