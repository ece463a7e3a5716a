import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { temporaryDirectory } from "./temporary-directory";

const require = createRequire(import.meta.url);
const typeScriptLoader = pathToFileURL(require.resolve("tsx")).href;
const script = join(import.meta.dirname, "support/append-and-close.ts");

describe("SQLite store in a process of its own", () => {
  it("lets the process exit by itself once closed: close() waits for its flushes and its checkpoint thread", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@friendhook/source", "--import", typeScriptLoader, script, temporaryDirectory()],
      { timeout: 60_000 },
    );
    expect(stdout).toBe("closed\n");
  });
});
