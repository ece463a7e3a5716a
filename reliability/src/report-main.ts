import { renderReport } from "./report";
import { readResults, resultsPath } from "./results";

// `pnpm --dir reliability report`: the Markdown table of the last run, for RELIABILITY.md.
const results = readResults();
if (Object.keys(results.results).length === 0) {
  process.stderr.write(`No figures in ${resultsPath}: run \`pnpm --filter @friendhook/reliability test\` first.\n`);
  process.exit(1);
}
process.stdout.write(renderReport(results));
