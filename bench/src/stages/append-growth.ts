import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSqliteStore } from "@friendhook/sqlite";
import { benchCredentials } from "../payloads/bench-credentials";
import { freshTencentAppend, receivedTencentFriendAdd } from "./tencent-appends";

/**
 * How the SQLite store's append cost grows with what it holds: one 1,000-pair Tencent callback
 * appended after another into one new store (fresh event ids each time, one sink), the median per
 * block of 40 appends. BENCHMARKS.md ("What is left", item 5) has what it showed.
 *
 *   pnpm --dir bench exec tsx --conditions=@friendhook/source src/stages/append-growth.ts
 *     [--appends 240] [--ordered-ids] [--drop index,index…]
 *
 * `--ordered-ids` prefixes each id with the append's number, so that new ids go to the end of the
 * id index instead of anywhere in it; `--drop` drops indexes once the schema is made. Both only
 * show what an index costs: the store needs its indexes.
 */
const { values } = parseArgs({
  options: { appends: { type: "string", default: "240" }, "ordered-ids": { type: "boolean", default: false }, drop: { type: "string" } },
});
const appends = Number(values.appends);
const pairs = 1000;
const block = 40;

const { body, events } = await receivedTencentFriendAdd(pairs, "append-growth");

const directory = mkdtempSync(join(tmpdir(), "friendhook-append-growth-"));
const store = createSqliteStore({ directory });
try {
  // A read makes the schema, so that indexes can be dropped before the first append.
  await store.friendsOf({ provider: "tencent", appId: benchCredentials.tencentSdkAppId, userId: "nobody" });
  if (values.drop) {
    // The store's own driver, reached through its package: the bench does not depend on it.
    const Database = createRequire(createRequire(import.meta.url).resolve("@friendhook/sqlite/package.json"))("better-sqlite3") as new (
      filename: string,
    ) => { exec(sql: string): void; close(): void };
    const side = new Database(join(directory, "friendhook.db"));
    for (const index of values.drop.split(",")) side.exec(`DROP INDEX ${index}`);
    side.close();
  }
  const milliseconds: number[] = [];
  for (let append = 1; append <= appends; append += 1) {
    const input = freshTencentAppend(events, body, `-${append}`, values["ordered-ids"] ? String(append).padStart(6, "0") : "");
    const started = performance.now();
    await store.append(input);
    milliseconds.push(performance.now() - started);
  }
  const median = (list: number[]) => [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)] ?? Number.NaN;
  for (let start = 0; start < milliseconds.length; start += block) {
    const held = (start + block) * pairs;
    console.log(`appends ${start + 1}–${start + block} (up to ${held.toLocaleString("en")} events held): median ${median(milliseconds.slice(start, start + block)).toFixed(1)} ms per 1,000 events`);
  }
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
