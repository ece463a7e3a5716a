import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../src/group-commit";
import { createWalSync } from "../src/wal-sync";
import { temporaryDirectory } from "./temporary-directory";

/** Flushes that finish when the test says so, in the order they began. */
function heldFlushes() {
  const flushes: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  const flush = () =>
    new Promise<void>((resolve, reject) => {
      flushes.push({ finish: resolve, fail: reject });
    });
  return { flushes, flush };
}

function walFile(): string {
  const filename = join(temporaryDirectory(), "friendhook.db-wal");
  writeFileSync(filename, "");
  return filename;
}

/** Whether `promise` has settled once every callback queued so far has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("flushing the WAL after commits", () => {
  it("gives a call made while a flush runs a flush that begins after it, shared by every call meanwhile", async () => {
    const { flushes, flush } = heldFlushes();
    const sync = createWalSync(walFile(), flush);
    const first = sync.afterCommit();
    const second = sync.afterCommit();
    const third = sync.afterCommit();
    expect(flushes).toHaveLength(1);

    flushes[0]?.finish();
    await first;
    // The first flush may have begun before the second and third commits wrote: they wait for another.
    expect(await settled(second)).toBe(false);
    expect(flushes).toHaveLength(2);
    flushes[1]?.finish();
    await Promise.all([second, third]);
    expect(flushes).toHaveLength(2);
    await sync.close();
  });

  it("rejects the calls a failed flush served, and flushes again for the next call", async () => {
    const { flushes, flush } = heldFlushes();
    const sync = createWalSync(walFile(), flush);
    const failing = sync.afterCommit();
    flushes[0]?.fail(new Error("EIO: i/o error, fdatasync"));
    await expect(failing).rejects.toThrow(/EIO/);
    const next = sync.afterCommit();
    expect(flushes).toHaveLength(2);
    flushes[1]?.finish();
    await next;
    await sync.close();
  });

  it("flushes a real file with fdatasync", async () => {
    const sync = createWalSync(walFile());
    await Promise.all([sync.afterCommit(), sync.afterCommit()]);
    await sync.close();
  });

  it("resolves a group commit's submitters only once the flush after their transaction completed, committing the next transaction meanwhile", async () => {
    const { flushes, flush } = heldFlushes();
    const sync = createWalSync(walFile(), flush);
    const committed: string[][] = [];
    const groupCommit = createGroupCommit<"append">((operations) => {
      const results = operations.map((operation) => operation());
      committed.push(results as string[]);
      return results;
    }, sync.afterCommit);

    const first = groupCommit.submit("append", () => "a");
    await expect.poll(() => committed).toEqual([["a"]]);
    expect(await settled(first)).toBe(false);

    // The disk is still flushing the first transaction; the next one commits without waiting.
    const second = groupCommit.submit("append", () => "b");
    await expect.poll(() => committed).toEqual([["a"], ["b"]]);
    const drained = groupCommit.drain();
    expect(await settled(drained)).toBe(false);

    flushes[0]?.finish();
    expect(await first).toBe("a");
    expect(await settled(second)).toBe(false);
    flushes[1]?.finish();
    expect(await second).toBe("b");
    await drained;
    await sync.close();
  });
});
