import { measureIngestStages } from "./ingest-stages";

/** The ingest stages, in a child of their own (a fresh heap); settings in argv, results over IPC. */
const settings = JSON.parse(process.argv[2] ?? "{}") as { rounds: number; sampleMilliseconds: number };
const results = await measureIngestStages(settings);
process.send?.({ type: "results", results }, () => process.disconnect?.());
