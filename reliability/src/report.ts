import type { ResultsFile, TestResult } from "./results";

interface Column {
  readonly heading: string;
  readonly value: (result: TestResult) => number | undefined;
}

const columns: readonly Column[] = [
  { heading: "Callbacks sent", value: (result) => result.callbacksSent },
  { heading: "Acknowledged", value: (result) => result.acknowledged },
  { heading: "Refused (4xx)", value: (result) => result.refused },
  { heading: "No answer", value: (result) => result.unanswered },
  { heading: "Events stored", value: (result) => result.eventsStored },
  { heading: "Events delivered", value: (result) => result.eventsDelivered },
  { heading: "Duplicates", value: (result) => result.duplicateDeliveries },
  { heading: "Lost", value: (result) => result.lost },
  { heading: "Forged stored", value: (result) => result.forgedStored },
  { heading: "Hostile inputs", value: (result) => result.hostileInputsTried },
  { heading: "5xx seen", value: (result) => result.serverErrorsSeen },
];

/** The order of the tests in RELIABILITY.md; tests not listed here follow, by key. */
const testOrder = [
  "crash-sqlite",
  "crash-postgres",
  "graceful-stop-sqlite",
  "sink-outage",
  "duplicates-disorder",
  "hostile-input",
  "hostile-mutations",
  "forgery",
  "secrets",
  "read-api-token",
  "read-api-csrf",
  "read-api-production",
  "demo-credentials",
  "unauthenticated-providers",
  "output-reader-first-byte-production",
  "output-reader-first-byte-development",
  "output-reader-exits-production",
  "output-reader-exits-development",
  "output-reader-stops-production",
  "output-reader-stops-development",
  "shutdown-timeout",
  "easemob-replay",
  "easemob-stale",
  "amplification-over-cap",
  "amplification-within-cap",
  "tencent-future-time",
  "slow-forged-uploads",
  "body-budget",
  "tencent-token-rotation",
  "sink-retry-after",
  "easemob-app-key-spelling",
  "user-ids-sqlite",
  "user-ids-postgres",
];

const cell = (value: number | string | undefined) => (value === undefined ? "–" : typeof value === "number" ? value.toLocaleString("en-US") : value);
const escape = (text: string) => text.replace(/\|/g, "\\|");

function orderedKeys(results: ResultsFile["results"]): string[] {
  const known = testOrder.filter((key) => key in results);
  const others = Object.keys(results)
    .filter((key) => !testOrder.includes(key))
    .sort();
  return [...known, ...others];
}

/**
 * The figures of results/latest.json as Markdown: one table with a row per test ("–" where a figure
 * does not apply), then each test's other figures.
 */
export function renderReport(file: ResultsFile): string {
  const keys = orderedKeys(file.results);
  const lines = [
    `| Test | ${columns.map((column) => column.heading).join(" | ")} |`,
    `|---|${columns.map(() => "--:").join("|")}|`,
  ];
  for (const key of keys) {
    const result = file.results[key] as TestResult;
    lines.push(`| ${escape(result.title)} | ${columns.map((column) => cell(column.value(result))).join(" | ")} |`);
  }
  lines.push("");
  for (const key of keys) {
    const result = file.results[key] as TestResult;
    const notes = Object.entries(result.notes ?? {});
    if (notes.length === 0) continue;
    lines.push(`- **${escape(result.title)}**: ${notes.map(([name, value]) => `${name} ${value}`).join(", ")}.`);
  }
  lines.push("", `Recorded ${file.updatedAt.slice(0, 19).replace("T", " ")} UTC.`);
  return `${lines.join("\n")}\n`;
}
