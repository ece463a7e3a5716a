import { z } from "zod";

export const SqliteStoreOptionsSchema = z.strictObject({
  /** The data directory; created when missing. */
  directory: z.string().min(1, "name the data directory"),
  /** The database file inside it. */
  filename: z
    .string()
    .regex(/^[^/\\]+$/, "a file name, not a path: put the path in `directory`")
    .default("friendhook.db"),
  /** How long a write waits for another process holding the database, in milliseconds. */
  busyTimeoutMs: z.int().min(0).default(5000),
});

export type SqliteStoreOptions = z.input<typeof SqliteStoreOptionsSchema>;
