import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import Database from "better-sqlite3";

export interface SqliteBackup {
  readonly destination: string;
  /** Events in the backup. */
  readonly events: number;
  readonly bytes: number;
}

/** Every page in one step: one read transaction, so the copy is one consistent snapshot. */
const allPages = 0x7fffffff;

/**
 * Copies the SQLite store at `source` to `destination` with SQLite's online backup, while the app
 * keeps writing: the copy is read in one read transaction, so it holds exactly what was committed
 * when it began (every callback acknowledged by then) and nothing half written. WAL mode lets the
 * app write on meanwhile; its checkpoints wait for the copy, nothing else does. The copy is written
 * beside the destination and renamed into place once complete and checked, so that a backup that
 * fails leaves nothing under the destination's name.
 */
export async function backUpSqlite(source: string, destination: string): Promise<SqliteBackup> {
  if (!existsSync(source)) throw new Error(`There is no database at ${source}: check FRIENDHOOK_DATA_DIR (or --data-dir).`);
  if (existsSync(destination)) throw new Error(`${destination} exists already: choose another name, a backup never overwrites a file.`);
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const database = new Database(source, { readonly: true, fileMustExist: true });
  try {
    database.pragma("busy_timeout = 5000");
    await database.backup(partial, { progress: () => allPages });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    database.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  let events: number;
  try {
    const check = copy.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`The copy failed SQLite's check (${String(check)}); the source is left as it was.`);
    events = (copy.prepare("SELECT count(*) AS count FROM events").get() as { count: number }).count;
    // A single file, with no WAL beside it: the backup can be copied, archived or moved as it is.
    copy.pragma("journal_mode = DELETE");
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  renameSync(partial, destination);
  return { destination, events, bytes: statSync(destination).size };
}
