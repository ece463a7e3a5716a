import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

async function runFixtures(): Promise<Map<string, string>> {
  const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
  const result = await promisify(execFile)(
    process.execPath,
    [vitest, "run", "--config", "test/fixtures/store-fixtures.vitest.config.ts", "--reporter=json"],
    { cwd: packageRoot, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as JsonReport;
  const statuses = new Map<string, string>();
  for (const file of report.testResults) {
    for (const assertion of file.assertionResults) statuses.set(assertion.fullName, assertion.status);
  }
  return statuses;
}

describe("the store conformance suite", () => {
  it("fails stores that break the contract, where they break it", async () => {
    const statuses = await runFixtures();
    const status = (name: string) => statuses.get(name) ?? `missing: ${name}`;

    const leases = "forgets leases: store conformance claimDeliveries";
    expect(status(`${leases} hands out a delivery again once its lease ran out, and ignores outcomes for deliveries no longer pending`)).toBe("failed");
    expect(status(`${leases} never hands out an event while an earlier one of its pair is leased or waiting for a retry`)).toBe("failed");
    expect(status("forgets leases: store conformance unrecognized callbacks stores each unrecognized callback once and lists them in stored order")).toBe("passed");

    expect(status("drops unrecognized callbacks: store conformance unrecognized callbacks stores each unrecognized callback once and lists them in stored order")).toBe("failed");
    expect(status("drops unrecognized callbacks: store conformance append stores events once per id and reports inserted and duplicate counts")).toBe("passed");

    const arrival = "applies relationship events in arrival order: store conformance friend table";
    expect(status(`${arrival} keeps a removal that arrived before an addition clearly older than it (a tombstone)`)).toBe("failed");
    expect(status(`${arrival} holds the rule's table for the stored order, whatever the arrival order and however many duplicates`)).toBe("failed");
    expect(status(`${arrival} orders changes its times cannot tell apart by arrival`)).toBe("passed");
    expect(status(`${arrival} applies relationship events and nothing else`)).toBe("passed");

    const time = "orders by provider time alone: store conformance friend table";
    expect(status(`${time} orders changes its times cannot tell apart by arrival`)).toBe("failed");
    expect(status(`${time} holds the rule's table for the stored order, whatever the arrival order and however many duplicates`)).toBe("failed");
    expect(status(`${time} keeps a removal that arrived before an addition clearly older than it (a tombstone)`)).toBe("passed");
  }, 180_000);
});
