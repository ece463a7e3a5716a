import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/** Runs the fixtures of a vitest config in a child process; answers each test's status by full name. */
export async function runFixtures(config: string): Promise<Map<string, string>> {
  const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
  const result = await promisify(execFile)(process.execPath, [vitest, "run", "--config", config, "--reporter=json"], {
    cwd: packageRoot,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as JsonReport;
  const statuses = new Map<string, string>();
  for (const file of report.testResults) {
    for (const assertion of file.assertionResults) statuses.set(assertion.fullName, assertion.status);
  }
  return statuses;
}
