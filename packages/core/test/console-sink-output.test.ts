import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const typeScriptLoader = pathToFileURL(require.resolve("tsx")).href;
const printer = join(import.meta.dirname, "support/console-sink-process.ts");

interface Report {
  readonly delivered: number;
  readonly failed: number;
  readonly lastError: string;
}

let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

/** Starts the printing process, its standard output a pipe to this one, and follows its reports. */
function startPrinter() {
  const started = spawn(process.execPath, ["--import", typeScriptLoader, printer], { stdio: ["ignore", "pipe", "pipe"] });
  child = started;
  let latest: Report = { delivered: 0, failed: 0, lastError: "" };
  let errorOutput = "";
  started.stderr.setEncoding("utf8");
  started.stderr.on("data", (chunk: string) => {
    errorOutput += chunk;
    const lines = errorOutput.split("\n");
    for (const line of lines.slice(0, -1).reverse()) {
      if (!line.startsWith("{")) continue;
      latest = JSON.parse(line) as Report;
      break;
    }
  });
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    started.once("exit", (code, signal) => {
      exitedWith = code ?? signal ?? "unknown";
      resolve(exitedWith);
    }),
  );
  return { process: started, report: () => latest, errorOutput: () => errorOutput, exited, exitedWith: () => exitedWith };
}

type Printer = ReturnType<typeof startPrinter>;

async function waitUntil<Value>(printer: Printer, what: string, check: () => Value | undefined, timeoutMs = 15_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    const exit = printer.exitedWith();
    if (exit !== undefined) throw new Error(`the printing process exited (${exit}) before ${what}:\n${printer.errorOutput().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Each test starts a Node.js process that loads TypeScript: on a busy machine, that alone can
// take many seconds before the first line is printed.
const processTestTimeoutMs = 60_000;

// The default writer, on a real pipe whose reader misbehaves, in a process of its own.
describe("the console sink's default writer (standard output)", () => {
  it("fails deliveries once the reader has gone (EPIPE), and the process lives on", async () => {
    const printer = startPrinter();
    await new Promise((resolve) => printer.process.stdout.once("data", resolve));
    await waitUntil(printer, "a delivery", () => (printer.report().delivered > 0 ? true : undefined));
    printer.process.stdout.destroy();
    const report = await waitUntil(printer, "deliveries to fail", () => (printer.report().failed > 0 ? printer.report() : undefined));
    expect(report.lastError).toMatch(/the next one failed: Standard output cannot be written: .*EPIPE/);
    // Still running, still reporting: the error did not end it.
    const failed = report.failed;
    await waitUntil(printer, "more failed deliveries", () => (printer.report().failed > failed ? true : undefined));
    printer.process.kill("SIGTERM");
    expect(await printer.exited).toBe(0);
  }, processTestTimeoutMs);

  it("fails deliveries once a reader that stopped reading leaves 1 MiB unwritten, without blocking", async () => {
    const printer = startPrinter();
    await new Promise((resolve) => printer.process.stdout.once("data", resolve));
    printer.process.stdout.pause();
    const report = await waitUntil(printer, "deliveries to fail", () => (printer.report().failed > 0 ? printer.report() : undefined));
    expect(report.lastError).toMatch(/the next one failed: Standard output is not read fast enough: more than 1048576 bytes wait to be written\.$/);
    // The process's loop goes on: it keeps trying, and keeps reporting.
    const attempts = report.delivered + report.failed;
    await waitUntil(printer, "more attempts", () => (printer.report().delivered + printer.report().failed > attempts ? true : undefined));
    printer.process.kill("SIGTERM");
    expect(await printer.exited).toBe(0);
  }, processTestTimeoutMs);
});
