import type { MeasurementSettings } from "../in-process/interleaved-measurement";

/**
 * The ingest stages, or (`postgres`) the PostgreSQL store's appends, in a child of their own (a
 * fresh heap); settings in argv, results over IPC. Each part loads only its own modules.
 */
const settings = JSON.parse(process.argv[2] ?? "{}") as MeasurementSettings;
const results =
  process.argv[3] === "postgres"
    ? await (await import("./postgres-appends")).measurePostgresAppends(settings)
    : await (await import("./ingest-stages")).measureIngestStages(settings);
process.send?.({ type: "results", results }, () => process.disconnect?.());
