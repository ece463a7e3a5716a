import type { ProviderSample } from "./simulation-samples";
import { sendCallback } from "./send-callback";

export interface SimulationSummary {
  readonly sent: number;
  /** Answered 2xx: stored, a duplicate, or kept as unrecognized. */
  readonly acknowledged: number;
  readonly refused: number;
}

function shortened(text: string, length: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > length ? `${oneLine.slice(0, length - 1)}…` : oneLine;
}

/** Sends the samples one after another, in story order, printing each and its answer. */
export async function runSimulation(
  baseUrl: string,
  samples: readonly ProviderSample[],
  print: (line: string) => void,
): Promise<SimulationSummary> {
  let acknowledged = 0;
  let provider: string | undefined;
  const labelWidth = Math.max(0, ...samples.map((sample) => sample.label.length)) + 1;
  for (const sample of samples) {
    if (sample.provider !== provider) {
      provider = sample.provider;
      print(`\nPOST /webhooks/${provider}`);
    }
    const answer = await sendCallback(baseUrl, sample.provider, sample.request);
    if (answer.status >= 200 && answer.status < 300) acknowledged += 1;
    print(`  ${sample.label.padEnd(labelWidth)}${sample.description}`);
    print(`  ${"".padEnd(labelWidth)}→ ${answer.status} ${shortened(answer.body, 110)}`);
  }
  return { sent: samples.length, acknowledged, refused: samples.length - acknowledged };
}
