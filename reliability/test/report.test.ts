import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResults, recordFigures, renderReport } from "../src/index";

describe("the report of the figures", () => {
  it("records each test's figures without losing the others', and renders them as a Markdown table", () => {
    const directory = mkdtempSync(join(tmpdir(), "friendhook-reliability-report-"));
    const path = join(directory, "latest.json");
    try {
      recordFigures("forgery", "Forgery | signatures", { hostileInputsTried: 26, refused: 26, serverErrorsSeen: 0 }, path);
      recordFigures("crash-sqlite", "Crash (SQLite)", { callbacksSent: 2048, acknowledged: 1800, lost: 0, notes: { kills: 3 } }, path);
      recordFigures("forgery", "Forgery | signatures", { hostileInputsTried: 27, refused: 27, serverErrorsSeen: 0 }, path);

      const results = readResults(path);
      expect(Object.keys(results.results).sort()).toEqual(["crash-sqlite", "forgery"]);
      expect(JSON.parse(readFileSync(path, "utf8")).results.forgery.hostileInputsTried).toBe(27);

      const lines = renderReport(results).split("\n");
      expect(lines[0]).toBe(
        "| Test | Callbacks sent | Acknowledged | Refused (4xx) | No answer | Events stored | Events delivered | Duplicates | Lost | Forged stored | Hostile inputs | 5xx seen |",
      );
      expect(lines[2]).toBe("| Crash (SQLite) | 2,048 | 1,800 | – | – | – | – | – | 0 | – | – | – |");
      expect(lines[3]).toBe("| Forgery \\| signatures | – | – | 27 | – | – | – | – | – | – | 27 | 0 |");
      expect(lines).toContain("- **Crash (SQLite)**: kills 3.");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
