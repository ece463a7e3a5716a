import { runNormalizationSuite } from "./normalization-suite";

/**
 * The in-process measurements run in a child of their own: a fresh heap, and nothing of the load
 * generator or the HTTP servers loaded beside them. Settings come as JSON in argv; the results go
 * back over IPC.
 */
const settings = JSON.parse(process.argv[2] ?? "{}") as { rounds: number; sampleMilliseconds: number };
const results = await runNormalizationSuite(settings);
process.send?.({ type: "results", results }, () => process.disconnect?.());
