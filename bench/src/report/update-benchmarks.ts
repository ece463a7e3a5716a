import { readFileSync, writeFileSync } from "node:fs";

const start = "<!-- results:start -->";
const end = "<!-- results:end -->";

/**
 * Replaces the results in BENCHMARKS.md (between its markers) with a fresh report, its headings one
 * level down and its title dropped, so that the document's own text around it stays as written.
 */
export function updateBenchmarksDocument(path: string, markdown: string): void {
  const document = readFileSync(path, "utf8");
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} has no "${start}" … "${end}" section to replace`);
  const body = markdown
    .split("\n")
    .filter((line) => !line.startsWith("# "))
    .map((line) => (line.startsWith("#") ? `#${line}` : line))
    .join("\n")
    .trim();
  writeFileSync(path, `${document.slice(0, from + start.length)}\n\n${body}\n\n${document.slice(to)}`);
}
