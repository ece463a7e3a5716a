import { caseKey, prepareNormalizationCases } from "../in-process/normalization-suite";

/**
 * Runs one normalization case in a loop, for a profiler to watch:
 * `node --cpu-prof … profile-adapters.ts <case index> <seconds>`.
 */
const [caseIndexText = "0", secondsText = "5"] = process.argv.slice(2);
const prepared = prepareNormalizationCases()[Number(caseIndexText)];
if (!prepared) throw new Error(`no normalization case ${caseIndexText}`);
const endAt = performance.now() + Number(secondsText) * 1000;
let calls = 0;
while (performance.now() < endAt) {
  for (let batch = 0; batch < 20; batch += 1) await prepared.adapter.receive(prepared.request);
  calls += 20;
}
process.stdout.write(`${caseKey(prepared)}: ${calls} calls\n`);
