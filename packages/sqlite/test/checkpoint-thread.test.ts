import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { startCheckpointThread } from "../src/checkpoint-thread";
import { temporaryDirectory } from "./temporary-directory";

/** A database in WAL mode holding about a megabyte in its WAL, not yet checkpointed. */
function databaseWithWal() {
  const filename = join(temporaryDirectory(), "friendhook.db");
  const database = new Database(filename);
  database.pragma("journal_mode = WAL");
  database.pragma("wal_autocheckpoint = 0");
  database.exec("CREATE TABLE rows (value TEXT)");
  const insert = database.prepare("INSERT INTO rows (value) VALUES (?)");
  database.transaction(() => {
    for (let row = 0; row < 1000; row += 1) insert.run("x".repeat(1000));
  })();
  return { filename, database };
}

const sizeOf = (filename: string) => statSync(filename).size;

describe("checkpoints in a thread of their own", () => {
  it("copies the WAL into the database file from the thread's connection, and gives the WAL's space back on TRUNCATE", async () => {
    const { filename, database } = databaseWithWal();
    const thread = startCheckpointThread(filename);
    try {
      expect(sizeOf(filename)).toBeLessThan(100_000);
      expect(sizeOf(`${filename}-wal`)).toBeGreaterThan(1_000_000);

      expect(await thread.checkpoint("PASSIVE")).toBe(true);
      expect(thread.running).toBe(true);
      expect(sizeOf(filename)).toBeGreaterThan(1_000_000);
      // The writer goes on as before, its rows all there.
      database.prepare("INSERT INTO rows (value) VALUES ('after')").run();
      expect(database.prepare("SELECT count(*) AS count FROM rows").get()).toEqual({ count: 1001 });

      expect(await thread.checkpoint("TRUNCATE")).toBe(true);
      expect(sizeOf(`${filename}-wal`)).toBe(0);
    } finally {
      await thread.close();
      database.close();
    }
    expect(thread.running).toBe(false);
  });

  it("answers false, without waiting, for a checkpoint asked for while one runs or once the thread has ended", async () => {
    const { filename, database } = databaseWithWal();
    const thread = startCheckpointThread(filename);
    try {
      const first = thread.checkpoint("PASSIVE");
      expect(await thread.checkpoint("PASSIVE")).toBe(false);
      expect(await first).toBe(true);
    } finally {
      await thread.close();
      database.close();
    }
    expect(await thread.checkpoint("PASSIVE")).toBe(false);
  });

  it("ends, reporting it, when it cannot open the file", async () => {
    const thread = startCheckpointThread(join(temporaryDirectory(), "missing.db"));
    await expect.poll(() => thread.running, { timeout: 30_000 }).toBe(false);
    expect(await thread.checkpoint("PASSIVE")).toBe(false);
    await thread.close();
  });
});
