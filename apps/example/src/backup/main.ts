import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { backUpSqlite } from "./back-up-sqlite";

const usage = `Usage: pnpm --dir apps/example backup <destination file> [--data-dir <directory>]

Takes a consistent copy of the app's SQLite store while the app runs (SQLite's online backup): it
holds every callback acknowledged before the backup began. The data directory is --data-dir, else
FRIENDHOOK_DATA_DIR, else ./data, as the app resolves it. To start from a backup, stop the app, put
the file in an empty data directory as friendhook.db, and start the app on that directory.
A PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump).`;

const print = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`backup: ${message}\n`);
  process.exit(1);
}

function readArguments(): { destination: string; dataDirectory: string } {
  try {
    const { values, positionals } = parseArgs({
      options: { "data-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      print(usage);
      process.exit(0);
    }
    const [destination, ...rest] = positionals;
    if (destination === undefined || rest.length > 0) fail(`name one destination file\n\n${usage}`);
    return { destination: resolve(destination), dataDirectory: resolve(values["data-dir"] ?? process.env.FRIENDHOOK_DATA_DIR ?? "./data") };
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
}

const { destination, dataDirectory } = readArguments();
try {
  const backup = await backUpSqlite(join(dataDirectory, "friendhook.db"), destination);
  print(`backup: ${backup.events} events, ${backup.bytes} bytes, written to ${backup.destination}`);
} catch (error) {
  fail((error as Error).message);
}
