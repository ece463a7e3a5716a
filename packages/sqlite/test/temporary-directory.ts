import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const root = mkdtempSync(join(tmpdir(), "friendhook-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory for one store; all of them are removed after the test file. */
export function temporaryDirectory(): string {
  return mkdtempSync(join(root, "store-"));
}
